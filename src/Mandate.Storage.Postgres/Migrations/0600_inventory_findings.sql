-- Governance inventory: identities imported from where non-human identities already live (AWS IAM credential reports,
-- Kubernetes service accounts, Mandate's own JSON/CSV), keyed by (source, external_id), with their credentials'
-- metadata (never a secret). Runtime SPIFFE identities stay in `identities`; listings join both. Times are Unix ms.
CREATE TABLE inventory_identities (
  source TEXT COLLATE "C" NOT NULL,
  external_id TEXT COLLATE "C" NOT NULL,
  kind TEXT NOT NULL,
  owner TEXT,
  purpose TEXT,
  status TEXT NOT NULL,
  created_at BIGINT,
  expires_at BIGINT,
  labels TEXT NOT NULL,
  imported_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (source, external_id)
);
CREATE INDEX inventory_identities_owner ON inventory_identities (owner, source, external_id);
CREATE TABLE inventory_credentials (
  source TEXT COLLATE "C" NOT NULL,
  external_id TEXT COLLATE "C" NOT NULL,
  slot TEXT NOT NULL,
  credential_id TEXT,
  kind TEXT NOT NULL,
  active BIGINT NOT NULL,
  created_at BIGINT,
  last_rotated_at BIGINT,
  last_used_at BIGINT,
  last_used_region TEXT,
  last_used_service TEXT,
  expires_at BIGINT,
  fingerprint TEXT,
  PRIMARY KEY (source, external_id, slot)
);
CREATE INDEX inventory_credentials_fingerprint ON inventory_credentials (fingerprint);
-- Governance findings as last computed: open or resolved, with their evidence (JSON) and when first and last seen.
CREATE TABLE findings (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  source TEXT NOT NULL,
  identity TEXT NOT NULL,
  owner TEXT,
  summary TEXT NOT NULL,
  evidence TEXT NOT NULL,
  remediation TEXT NOT NULL,
  status TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  resolved_at BIGINT,
  accepted_reason TEXT,
  accepted_by TEXT,
  accepted_until BIGINT
);
CREATE INDEX findings_identity ON findings (identity);
