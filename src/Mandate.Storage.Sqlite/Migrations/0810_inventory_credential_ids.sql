-- A registered secret scan matches the access key ids it found (never the secrets) against imported credentials'
-- public ids (an AWS access key id on an IAM user): an index so the match does not read every credential.
CREATE INDEX inventory_credentials_credential_id ON inventory_credentials (credential_id);
