-- Workload identity: signing keys (private halves encrypted under the key-encryption key), the NHI inventory with
-- its labels, and one-time join tokens (only their SHA-256 is stored). Times are Unix milliseconds.
CREATE TABLE identity_keys (
  kid TEXT PRIMARY KEY,
  purpose TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  private_key BLOB NOT NULL,
  certificate BLOB,
  created_at BIGINT NOT NULL,
  activates_at BIGINT NOT NULL,
  retires_at BIGINT,
  publish_until BIGINT
);
CREATE TABLE identities (
  spiffe_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  purpose TEXT NOT NULL,
  environment TEXT NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT,
  labels TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX identities_owner ON identities (owner, spiffe_id);
CREATE INDEX identities_status ON identities (status, spiffe_id);
CREATE TABLE identity_labels (
  spiffe_id TEXT NOT NULL,
  label_key TEXT NOT NULL,
  label_value TEXT NOT NULL,
  PRIMARY KEY (spiffe_id, label_key)
);
CREATE INDEX identity_labels_lookup ON identity_labels (label_key, label_value);
CREATE TABLE identity_join_tokens (
  token_hash TEXT PRIMARY KEY,
  spiffe_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
