-- Signals out and in: operator-configured webhooks (Standard Webhooks), OpenID Shared Signals streams, the outbox of
-- messages to deliver to both (with retries and a dead-letter state), the SSF signing key and the SETs received.
-- How far the fan-out has read the audit chain (name 'signals'); it starts at the head as of this migration, so an
-- existing ledger is not replayed into webhooks and SETs about the past.
CREATE TABLE signal_cursor (
  name TEXT PRIMARY KEY,
  last_sequence BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);
INSERT INTO signal_cursor (name, last_sequence, updated_ms) SELECT 'signals', COALESCE(MAX(seq), 0), 0 FROM audit_events;
-- secret: the whsec_ signing secret, encrypted under the key-encryption key (bound to the endpoint id); events: JSON array.
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  description TEXT,
  secret TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  created_by TEXT NOT NULL
);
-- One message to one target: channel 'webhook' (target = endpoint id) or 'ssf' (target = stream id, id = the SET's jti).
-- state: pending (to send, or for a poll stream to be acknowledged), delivered, dead (gave up: the dead-letter list).
CREATE TABLE signal_deliveries (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_ms BIGINT NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  done_ms BIGINT
);
CREATE INDEX signal_deliveries_due ON signal_deliveries (state, next_attempt_ms);
CREATE INDEX signal_deliveries_target ON signal_deliveries (channel, target, state, created_ms);
-- The transmitter's SET signing key (ES256), private half encrypted under the key-encryption key.
CREATE TABLE ssf_keys (
  kid TEXT PRIMARY KEY,
  public_jwk TEXT NOT NULL,
  private_key TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);
-- config: the stream's JSON configuration (delivery method and endpoint, events requested, audience, description);
-- authorization: the push Authorization header value, encrypted (bound to the stream id), or null.
CREATE TABLE ssf_streams (
  id TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  authorization_header TEXT,
  status TEXT NOT NULL,
  reason TEXT,
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);
-- Subjects added (included = 1) or removed (included = 0); a stream's default is every subject.
CREATE TABLE ssf_subjects (
  stream_id TEXT NOT NULL,
  subject_key TEXT NOT NULL,
  subject TEXT NOT NULL,
  included INTEGER NOT NULL,
  updated_ms BIGINT NOT NULL,
  PRIMARY KEY (stream_id, subject_key)
);
-- SETs accepted by the receiver, by issuer and jti (replay refusal); kept until expires_ms.
CREATE TABLE ssf_received (
  issuer TEXT NOT NULL,
  jti TEXT NOT NULL,
  received_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  PRIMARY KEY (issuer, jti)
);
