-- Audit ledger: the delegation chain and policy version as query columns, signed checkpoints, checkpoint signing keys.
ALTER TABLE audit_events ADD COLUMN chain TEXT;
ALTER TABLE audit_events ADD COLUMN policy_version TEXT;
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_time ON audit_events (time_ms);
CREATE INDEX audit_events_type ON audit_events (type, seq);
CREATE TABLE audit_checkpoints (
  from_seq BIGINT PRIMARY KEY,
  to_seq BIGINT NOT NULL,
  root_hash TEXT NOT NULL,
  chain_hash TEXT NOT NULL,
  time_ms BIGINT NOT NULL,
  kid TEXT NOT NULL,
  alg TEXT NOT NULL,
  signature TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_checkpoints_to ON audit_checkpoints (to_seq);
CREATE TABLE audit_signing_keys (
  kid TEXT PRIMARY KEY,
  public_jwk TEXT NOT NULL,
  sealed_private_key BLOB NOT NULL,
  created_at BIGINT NOT NULL
);
