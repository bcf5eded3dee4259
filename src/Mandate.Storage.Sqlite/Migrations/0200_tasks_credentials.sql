-- Tasks, the credentials issued for them (task credentials and exchanged tokens), and the revocation log.
-- Times are Unix milliseconds; lists and intents are JSON text.
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  description TEXT NOT NULL,
  intent TEXT NOT NULL,
  status TEXT NOT NULL,
  opened_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  lease_limit BIGINT NOT NULL,
  renewals INTEGER NOT NULL,
  closed_at BIGINT,
  close_reason TEXT,
  decision_id TEXT,
  policy_version TEXT
);
CREATE INDEX tasks_status_expires ON tasks (status, expires_at);
CREATE INDEX tasks_subject ON tasks (subject, opened_at);
CREATE TABLE credentials (
  jti TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  holder TEXT NOT NULL,
  task_id TEXT,
  parent_jti TEXT,
  chain TEXT NOT NULL,
  scope TEXT NOT NULL,
  audiences TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  cnf_method TEXT,
  cnf_thumbprint TEXT,
  revoked_at BIGINT,
  revoked_reason TEXT,
  revoked_by TEXT,
  first_used_at BIGINT,
  last_used_at BIGINT,
  use_count BIGINT NOT NULL,
  last_use_source TEXT
);
CREATE INDEX credentials_task ON credentials (task_id);
CREATE INDEX credentials_parent ON credentials (parent_jti);
CREATE INDEX credentials_subject ON credentials (subject);
CREATE INDEX credentials_holder ON credentials (holder);
CREATE INDEX credentials_revoked ON credentials (revoked_at);
CREATE TABLE revocations (
  id TEXT PRIMARY KEY,
  target_kind TEXT NOT NULL,
  target TEXT NOT NULL,
  reason TEXT,
  revoked_by TEXT NOT NULL,
  revoked_at BIGINT NOT NULL,
  credential_count INTEGER NOT NULL
);
CREATE INDEX revocations_time ON revocations (revoked_at);
