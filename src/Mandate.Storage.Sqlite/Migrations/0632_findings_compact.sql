-- Findings, compact rows (issue 15): a first recompute of a large estate writes hundreds of thousands of findings, and
-- two of each row's columns were mostly bytes that said nothing new. A finding's remediation is NULL when it is its
-- kind's standard text (FindingRemediations; a reader puts that text back), and its content digest is a 64-bit integer
-- (the first 8 bytes of the same SHA-256) instead of 32 hex digits: it only tells whether one finding's content changed
-- since its own last write (see FindingDigest). SQLite cannot drop a NOT NULL or give a column integer affinity in
-- place, so the table is copied. The old digests are not converted (SQLite has no hex to integer): they become NULL,
-- and the next recompute rewrites each finding's row once, with its status, times and acceptance as they were and no
-- ledger event (nothing about the finding changed).
CREATE TABLE findings_compact (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  source TEXT NOT NULL,
  identity TEXT NOT NULL,
  owner TEXT,
  summary TEXT NOT NULL,
  evidence TEXT NOT NULL,
  remediation TEXT,
  status TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  resolved_at BIGINT,
  accepted_reason TEXT,
  accepted_by TEXT,
  accepted_until BIGINT,
  digest BIGINT
);
INSERT INTO findings_compact (id, kind, severity, source, identity, owner, summary, evidence, remediation, status, first_seen, last_seen, resolved_at, accepted_reason, accepted_by, accepted_until, digest)
  SELECT id, kind, severity, source, identity, owner, summary, evidence, remediation, status, first_seen, last_seen, resolved_at, accepted_reason, accepted_by, accepted_until, NULL
  FROM findings;
DROP TABLE findings;
ALTER TABLE findings_compact RENAME TO findings;
CREATE INDEX findings_identity ON findings (identity);
