-- Audit ledger indexes, leaner (issue 21: at most 400 bytes per decision event). The actor and subject indexes are
-- dropped: the one query that filters on those columns (events of an identity) also matches the delegation chain,
-- which has no index, so the planner can never combine them and reads the events in sequence order instead (the plans
-- of every audit query were checked before and after); they cost 64 bytes an event. The time index becomes a BRIN
-- index: the time of an event grows with its sequence, so one summary per block range finds a time window as well
-- as a B-tree did, at about one byte an event instead of 23. The rows, their hashes and the checkpoints are not
-- touched.
DROP INDEX audit_log_actor;
DROP INDEX audit_log_subject;
DROP INDEX audit_log_time;
CREATE INDEX audit_log_time ON audit_log USING brin (time_ms);
