-- Detection: how far the engine has read the audit chain, the rule state it needs to resume exactly there, the
-- alerts it raised (with the ledger sequences that triggered them) and every identity's risk.
-- One row: the last audit sequence processed. It starts at the head as of this migration, so an existing ledger is not
-- replayed into alerts about the past.
CREATE TABLE detection_cursor (
  id BIGINT PRIMARY KEY,
  last_sequence BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);
INSERT INTO detection_cursor (id, last_sequence, updated_ms) SELECT 1, COALESCE(MAX(seq), 0), 0 FROM audit_events;
-- Rule state by key (identity:<id>, credential:<jti>), JSON; written in the same transaction as the cursor.
CREATE TABLE detection_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_ms BIGINT NOT NULL
);
-- response: JSON {"actions":[…],"risk":…,"state":…}; response_state: pending until the responses ran, then done.
CREATE TABLE detection_alerts (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,
  identity TEXT NOT NULL,
  time_ms BIGINT NOT NULL,
  summary TEXT NOT NULL,
  evidence TEXT NOT NULL,
  task_id TEXT,
  response TEXT NOT NULL,
  response_state TEXT NOT NULL
);
CREATE INDEX detection_alerts_identity ON detection_alerts (identity, seq);
CREATE INDEX detection_alerts_rule ON detection_alerts (rule, seq);
CREATE INDEX detection_alerts_time ON detection_alerts (time_ms);
CREATE INDEX detection_alerts_pending ON detection_alerts (response_state, seq);
-- Risk decays from score as of updated_ms (the half-life is configuration, so it is applied when read).
CREATE TABLE detection_risk (
  identity TEXT PRIMARY KEY,
  score DOUBLE PRECISION NOT NULL,
  updated_ms BIGINT NOT NULL,
  reason TEXT
);
