-- The (status, id) index of findings goes: finding ids are hashes, so a recompute that opens many findings inserted
-- into it in random order, which cost about as much as the rest of the insert (about 5 of 11 CPU seconds for
-- 369,000 findings on SQLite). No query needs it: listings by status read most of the table and sort by first_seen,
-- and a recompute reads every finding's state in one scan.
DROP INDEX findings_status;
