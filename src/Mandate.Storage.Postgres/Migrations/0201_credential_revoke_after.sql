-- Tasks: a credential superseded by a renewal issued with a grace period (Mandate:Tasks:RenewalGrace) is revoked by
-- the task sweeper once revoke_after (Unix milliseconds) has passed; null for every other credential.
ALTER TABLE credentials ADD COLUMN revoke_after BIGINT;
CREATE INDEX credentials_revoke_after ON credentials (revoke_after) WHERE revoke_after IS NOT NULL;
