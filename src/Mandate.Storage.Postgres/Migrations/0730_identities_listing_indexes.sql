-- The inventory listing filters on kind alone (the console's kind filter, `GET /v1/identities?kind=`): without an
-- index a rare kind walks the whole table in SPIFFE ID order to fill one page. (kind, spiffe_id) answers it in order.
-- SPIFFE IDs compare byte by byte, as SQLite compares them: the listing's order and its keyset cursor are then the same
-- on both stores, and a SPIFFE ID prefix is one range of the primary key (under the database's linguistic collation
-- it was not, so a prefix search read the whole table).
ALTER TABLE identities ALTER COLUMN spiffe_id TYPE TEXT COLLATE "C";
CREATE INDEX identities_kind ON identities (kind, spiffe_id);
