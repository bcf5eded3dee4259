-- Audit ledger indexes, leaner (issue 21; the same change as PostgreSQL's 0321). The actor and subject indexes are
-- dropped: the one query that filters on those columns (events of an identity) also matches the delegation chain,
-- which has no index, so SQLite can never use them for it and reads the events in sequence order instead (checked with
-- EXPLAIN QUERY PLAN). The rows, their hashes and the checkpoints are not touched.
DROP INDEX audit_log_actor;
DROP INDEX audit_log_subject;
