-- The detector's shadow (detector.Shadow, app/store/shadow.go): per
-- resource of a state, the cloud's last known value of each attribute a
-- write touched, tagged with the serial of the state it was compared
-- against, so that a restarted serve and a second replica build the next
-- write's drift on the same cloud. A state with a newer serial accounts
-- for older values: Drop deletes them. Keep in step with
-- sqlite/0004_shadow.sql.
CREATE TABLE shadow_values (
    -- state.Source Name and Workspace, and the instance address; NUL is
    -- stored as U+001F, as in receipts.resource_key.
    state_source TEXT        NOT NULL,
    workspace    TEXT        NOT NULL,
    address      TEXT        NOT NULL,
    attribute    TEXT        NOT NULL,
    -- one JSON value, verbatim (json, not jsonb: jsonb rewrites numbers
    -- such as 1e2, and their exact text is what state compares with).
    value        JSON        NOT NULL,
    serial       BIGINT      NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (state_source, workspace, address, attribute)
);
-- Drop: one state's values learnt before a serial.
CREATE INDEX shadow_values_serial ON shadow_values (state_source, workspace, serial);
