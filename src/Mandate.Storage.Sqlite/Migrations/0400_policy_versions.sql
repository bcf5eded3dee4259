-- Decisions: every policy-set version ever activated (the whole bundle as JSON), newest by seq.
CREATE TABLE policy_versions (
  seq BIGINT PRIMARY KEY,
  version TEXT NOT NULL UNIQUE,
  origin TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  activated_ms BIGINT NOT NULL,
  bundle TEXT NOT NULL
);
CREATE INDEX policy_versions_activated ON policy_versions (activated_ms, seq);
