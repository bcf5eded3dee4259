-- Decisions: every activation of a policy-set version, in order, append-only. A version row (policy_versions) is
-- written once and never edited: activating a stored version again (a rollback) adds a row here that points at it,
-- so the origin and actor recorded for each version stay as they were. kind: activation | rollback.
CREATE TABLE policy_activations (
  seq BIGINT PRIMARY KEY,
  version TEXT NOT NULL,
  kind TEXT NOT NULL,
  origin TEXT NOT NULL,
  actor TEXT NOT NULL,
  activated_ms BIGINT NOT NULL,
  previous_version TEXT
);
CREATE INDEX policy_activations_version ON policy_activations (version, seq);
-- Versions stored before this table existed: their last activation, in the order they happened.
INSERT INTO policy_activations (seq, version, kind, origin, actor, activated_ms, previous_version)
SELECT ROW_NUMBER() OVER (ORDER BY activated_ms, seq), version, 'activation', origin, actor, activated_ms, NULL
FROM policy_versions;
