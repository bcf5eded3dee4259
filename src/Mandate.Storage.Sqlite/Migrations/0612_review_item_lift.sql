-- A revoked entitlement can be lifted again: who, when, why, the policy version that dropped its forbid, and the
-- ledger sequence of the review.item_lifted event. A lifted item's forbid is no longer kept in force.
ALTER TABLE review_items ADD COLUMN lifted_by TEXT;
ALTER TABLE review_items ADD COLUMN lifted_at BIGINT;
ALTER TABLE review_items ADD COLUMN lift_reason TEXT;
ALTER TABLE review_items ADD COLUMN lift_policy_version TEXT;
ALTER TABLE review_items ADD COLUMN lift_ledger_seq BIGINT;
