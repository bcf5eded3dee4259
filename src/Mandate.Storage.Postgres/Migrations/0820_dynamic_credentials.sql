-- Task-bound dynamic credentials (docs/dynamic-credentials.md): what Mandate needs to remove a credential it minted in a
-- downstream system when its task ends. Never the password. A lease waiting for removal has next_attempt_at set;
-- the revoker claims it by moving next_attempt_at forward, so two nodes never attempt it together.
CREATE TABLE dynamic_credential_leases (
  id TEXT PRIMARY KEY,
  task_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  engine TEXT NOT NULL,
  username TEXT NOT NULL,
  status TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoke_requested_at BIGINT,
  revoke_reason TEXT,
  revoked_at BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  last_error TEXT
);
CREATE INDEX dynamic_credential_leases_task ON dynamic_credential_leases (task_id);
CREATE INDEX dynamic_credential_leases_subject ON dynamic_credential_leases (subject, status);
CREATE INDEX dynamic_credential_leases_due ON dynamic_credential_leases (status, next_attempt_at);
CREATE INDEX dynamic_credential_leases_expiry ON dynamic_credential_leases (status, expires_at);
