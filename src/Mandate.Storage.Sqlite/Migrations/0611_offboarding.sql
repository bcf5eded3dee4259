-- Offboarding: owners that departed (nothing new may be registered or imported for them) and each offboarding's
-- signed evidence pack, kept as handed out so that it can be fetched again. Times are Unix ms.
CREATE TABLE departed_owners (
  owner TEXT PRIMARY KEY,
  departed_at BIGINT NOT NULL,
  departed_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  offboarding_id TEXT NOT NULL
);
CREATE TABLE offboardings (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  evidence TEXT NOT NULL
);
CREATE INDEX offboardings_created ON offboardings (created_at, id);
