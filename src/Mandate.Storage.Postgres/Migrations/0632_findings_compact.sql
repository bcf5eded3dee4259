-- Findings, compact rows (issue 15): a first recompute of a large estate writes hundreds of thousands of findings, and
-- two of each row's columns were mostly bytes that said nothing new. A finding's remediation is NULL when it is its
-- kind's standard text (FindingRemediations; a reader puts that text back), and its content digest is a 64-bit integer
-- (the first 8 bytes of the same SHA-256) instead of 32 hex digits: it only tells whether one finding's content changed
-- since its own last write (see FindingDigest). The old digests are converted to the integer they begin with, so an
-- unchanged estate still writes nothing at its next recompute.
ALTER TABLE findings ALTER COLUMN remediation DROP NOT NULL;
ALTER TABLE findings ALTER COLUMN digest TYPE BIGINT USING (('x' || substr(digest, 1, 16))::bit(64)::bigint);
