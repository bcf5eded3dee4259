-- Named operators with roles, their personal and session tokens, and PEP credentials issued through the API. Only
-- SHA-256 hashes of tokens are stored. Roles are a comma-separated list (auditor,security). Times are Unix milliseconds.
CREATE TABLE operators (
  name TEXT PRIMARY KEY,
  display_name TEXT,
  roles TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  oidc_subject TEXT,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX operators_oidc_subject ON operators (oidc_subject);
CREATE TABLE operator_tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL,
  operator_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  label TEXT,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_by TEXT,
  revoked_reason TEXT
);
CREATE UNIQUE INDEX operator_tokens_hash ON operator_tokens (token_hash);
CREATE INDEX operator_tokens_operator ON operator_tokens (operator_name, created_at);
CREATE TABLE pep_credentials (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  revoked_by TEXT,
  revoked_reason TEXT
);
CREATE UNIQUE INDEX pep_credentials_hash ON pep_credentials (token_hash);
