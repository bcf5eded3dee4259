-- Exceptions and break-glass grants (docs/exceptions.md): a time-bound permit for one identity, action and resource.
-- status: pending (an exception waiting for its approver), active, denied, revoked, expired. expires_ms is when a pending
-- request lapses or an active grant ends; policy is the grant's Cedar text (built from validated entity uids).
CREATE TABLE access_grants (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  identity TEXT NOT NULL,
  identity_kind TEXT NOT NULL,
  identity_owner TEXT NOT NULL,
  principal TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  ttl_ms BIGINT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  decided_by TEXT,
  decided_ms BIGINT,
  ended_by TEXT,
  ended_ms BIGINT,
  end_reason TEXT,
  policy TEXT
);
CREATE INDEX access_grants_status ON access_grants (status, expires_ms);
CREATE INDEX access_grants_identity ON access_grants (identity, requested_ms);
