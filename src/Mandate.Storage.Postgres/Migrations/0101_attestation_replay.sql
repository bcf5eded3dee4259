-- Platform tokens already exchanged for SVIDs (replay protection of OIDC attestation), by issuer and the SHA-256 of
-- their jti; a row lives until the token's exp plus the clock skew and is then purged by identity maintenance.
CREATE TABLE identity_redeemed_platform_tokens (
  issuer TEXT NOT NULL,
  jti_hash TEXT NOT NULL,
  spiffe_id TEXT NOT NULL,
  redeemed_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (issuer, jti_hash)
);
CREATE INDEX identity_redeemed_platform_tokens_expiry ON identity_redeemed_platform_tokens (expires_at);
