-- Audit ledger, compact layout (issue 21). Each event was stored twice (its canonical body and copies of its fields
-- in query columns) with its previous hash and its hash as hex text, about 970 bytes an event. Now each field is
-- stored once and the body is rebuilt from the row when read: repeated strings (type, actor, subject, action,
-- delegation chain, policy version) become ids into audit_strings, the hash is 32 bytes, and the previous hash is the
-- hash of the row before (verification links by seq). The hashed bytes do not change: the step marked below checks,
-- before the old table is dropped, that every converted row rebuilds its stored body byte for byte and links to the
-- hash before it, and rolls the whole migration back otherwise.
CREATE TABLE audit_strings (
  id INTEGER PRIMARY KEY,
  value TEXT NOT NULL UNIQUE
);
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  type_id BIGINT NOT NULL,
  actor_id BIGINT,
  subject_id BIGINT,
  action_id BIGINT,
  resource TEXT,
  decision TEXT,
  jti TEXT,
  task_id TEXT,
  request_id TEXT,
  chain_id BIGINT,
  policy_version_id BIGINT,
  reason TEXT,
  details TEXT,
  hash BLOB NOT NULL
);
INSERT INTO audit_strings (value)
SELECT value FROM (
  SELECT type AS value FROM audit_events
  UNION SELECT actor FROM audit_events
  UNION SELECT subject FROM audit_events
  UNION SELECT action FROM audit_events
  UNION SELECT chain FROM audit_events
  UNION SELECT policy_version FROM audit_events
) WHERE value IS NOT NULL ORDER BY value;
INSERT INTO audit_log (seq, time_ms, type_id, actor_id, subject_id, action_id, resource, decision, jti, task_id, request_id, chain_id, policy_version_id, reason, details, hash)
SELECT e.seq, e.time_ms, t.id, a.id, s.id, x.id, e.resource, e.decision, e.jti, e.task_id, e.request_id, c.id, p.id,
  CASE WHEN json_valid(e.body) THEN json_extract(e.body, '$.reason') END,
  CASE WHEN json_valid(e.body) THEN json_extract(e.body, '$.details') END,
  unhex(e.hash)
FROM audit_events e
JOIN audit_strings t ON t.value = e.type
LEFT JOIN audit_strings a ON a.value = e.actor
LEFT JOIN audit_strings s ON s.value = e.subject
LEFT JOIN audit_strings x ON x.value = e.action
LEFT JOIN audit_strings c ON c.value = e.chain
LEFT JOIN audit_strings p ON p.value = e.policy_version
ORDER BY e.seq;
-- @check audit_compact
DROP TABLE audit_events;
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_subject ON audit_log (subject_id, seq);
CREATE INDEX audit_log_type ON audit_log (type_id, seq);
CREATE INDEX audit_log_time ON audit_log (time_ms);
CREATE INDEX audit_log_jti ON audit_log (jti) WHERE jti IS NOT NULL;
CREATE INDEX audit_log_task ON audit_log (task_id) WHERE task_id IS NOT NULL;
-- The events with their strings, under the old name, for readers that only filter (folds, cursors, reports).
CREATE VIEW audit_events AS
SELECT e.seq, e.time_ms, t.value AS type, a.value AS actor, s.value AS subject, x.value AS action, e.resource,
  e.decision, e.jti, e.task_id, e.request_id, c.value AS chain, p.value AS policy_version, e.reason, e.details, e.hash
FROM audit_log e
JOIN audit_strings t ON t.id = e.type_id
LEFT JOIN audit_strings a ON a.id = e.actor_id
LEFT JOIN audit_strings s ON s.id = e.subject_id
LEFT JOIN audit_strings x ON x.id = e.action_id
LEFT JOIN audit_strings c ON c.id = e.chain_id
LEFT JOIN audit_strings p ON p.id = e.policy_version_id;
