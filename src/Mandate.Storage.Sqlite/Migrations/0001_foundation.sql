-- Foundation: settings and the audit chain. Times are Unix milliseconds.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE audit_events (
  seq BIGINT PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT,
  subject TEXT,
  action TEXT,
  resource TEXT,
  decision TEXT,
  jti TEXT,
  task_id TEXT,
  request_id TEXT,
  body TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject, seq);
CREATE INDEX audit_events_jti ON audit_events (jti);
CREATE INDEX audit_events_task ON audit_events (task_id);
