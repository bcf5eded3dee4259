-- X.509-SVIDs are recorded as credentials of kind x509_svid (jti "x509:" + serial) so that they can be revoked one by
-- one and by every cascade; the CRL lists the revoked ones not yet expired, and its number comes from a single row
-- every node increments, so it only grows. An X.509-SVID's record carries its own certificate thumbprint
-- (cnf_thumbprint, x5t#S256), and credentials bound to that certificate fall with it: found by thumbprint.
CREATE INDEX credentials_x509_revoked ON credentials (expires_at) WHERE kind = 'x509_svid' AND revoked_at IS NOT NULL;
CREATE INDEX credentials_cnf_thumbprint ON credentials (cnf_thumbprint) WHERE cnf_thumbprint IS NOT NULL;
CREATE TABLE x509_crl_number (
  id INTEGER PRIMARY KEY,
  last_number BIGINT NOT NULL
);
INSERT INTO x509_crl_number (id, last_number) VALUES (1, 0);
