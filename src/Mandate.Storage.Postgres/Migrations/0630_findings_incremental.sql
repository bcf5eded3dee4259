-- Findings, incremental: each finding's content digest (a recompute rewrites a finding only when it changed), and what
-- every identity used, folded from the ledger once (allowed decisions by action and resource type, credential uses),
-- so a recompute reads the new ledger records only. Times are Unix ms.
ALTER TABLE findings ADD COLUMN digest TEXT;
CREATE INDEX findings_status ON findings (status, id);
CREATE TABLE governance_usage (
  subject TEXT COLLATE "C" NOT NULL,
  action TEXT COLLATE "C" NOT NULL,
  resource_type TEXT COLLATE "C" NOT NULL,
  last_seq BIGINT NOT NULL,
  last_ms BIGINT NOT NULL,
  PRIMARY KEY (subject, action, resource_type)
);
-- One row: the last ledger sequence folded into governance_usage. It starts at 0: the whole ledger is folded once.
CREATE TABLE governance_cursor (
  id BIGINT PRIMARY KEY,
  last_sequence BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);
INSERT INTO governance_cursor (id, last_sequence, updated_ms) VALUES (1, 0, 0);
