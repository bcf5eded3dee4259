-- OIDC ID tokens already used for an operator sign-in (single use), by issuer and the SHA-256 of the token's jti, or
-- of the whole token when it has no jti; a row lives as long as the token could still be accepted (its exp, or iat
-- plus the maximum age, whichever comes first, plus the clock skew), and sign-ins delete the rows past that.
CREATE TABLE operator_redeemed_id_tokens (
  issuer TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  operator_name TEXT NOT NULL,
  redeemed_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (issuer, token_hash)
);
CREATE INDEX operator_redeemed_id_tokens_expiry ON operator_redeemed_id_tokens (expires_at);
