-- Receipts by what they name at their destination: the drifts one GitHub
-- issue tracks, found when a person closes or reopens the issue
-- (ReceiptsByExternalID). Keep in step with the other engine's 0005.
CREATE INDEX receipts_external ON receipts (system, external_id);
