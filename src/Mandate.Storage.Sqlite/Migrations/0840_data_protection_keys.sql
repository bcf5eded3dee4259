-- The data-protection key ring every node on this store shares (it protects the console's session cookies), so a
-- cookie issued by one node is read by another and a restart signs nobody out. Each value is the key's XML encrypted
-- with AES-256-GCM under the deployment's key-encryption key (the one protecting the identity keys), base64: the
-- store alone never holds a usable key.
CREATE TABLE data_protection_keys (
    name TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
