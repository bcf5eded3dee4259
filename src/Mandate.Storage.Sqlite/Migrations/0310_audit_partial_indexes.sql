-- Audit ledger (issue 21): most events (decisions above all) carry no credential jti and no task id, yet every one of
-- them was entered in these two indexes. Indexing only the rows that have a value makes each append two index entries
-- cheaper and each event smaller; a query for a jti or a task id (an equality) still uses them.
DROP INDEX audit_events_jti;
DROP INDEX audit_events_task;
CREATE INDEX audit_events_jti ON audit_events (jti) WHERE jti IS NOT NULL;
CREATE INDEX audit_events_task ON audit_events (task_id) WHERE task_id IS NOT NULL;
