-- The inventory listing filters on kind alone (the console's kind filter, `GET /v1/identities?kind=`): without an
-- index a rare kind walks the whole table in SPIFFE ID order to fill one page. (kind, spiffe_id) answers it in order.
CREATE INDEX identities_kind ON identities (kind, spiffe_id);
