-- Access reviews: campaigns (one owner's identities or all) and their items (identity, entitlement, open finding),
-- each decided once by the reviewer with how a revocation was enforced. Times are Unix ms; policy lists are JSON text.
CREATE TABLE review_campaigns (
  id TEXT PRIMARY KEY,
  owner TEXT,
  reviewer TEXT,
  started_by TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  origin TEXT NOT NULL,
  status TEXT NOT NULL,
  completed_at BIGINT,
  overdue_reported_at BIGINT
);
CREATE INDEX review_campaigns_started ON review_campaigns (started_at, id);
CREATE INDEX review_campaigns_due ON review_campaigns (status, due_at);
CREATE TABLE review_items (
  campaign_id TEXT NOT NULL,
  number BIGINT NOT NULL,
  kind TEXT NOT NULL,
  identity TEXT NOT NULL,
  source TEXT NOT NULL,
  owner TEXT,
  action TEXT,
  resource_type TEXT,
  policies TEXT NOT NULL,
  finding TEXT,
  summary TEXT NOT NULL,
  decision TEXT,
  decided_by TEXT,
  decided_at BIGINT,
  reason TEXT,
  enforcement TEXT,
  enforcement_detail TEXT,
  policy_version TEXT,
  ledger_seq BIGINT,
  PRIMARY KEY (campaign_id, number)
);
