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
    -- Get reads one resource's rows by the key's prefix; Drop one
    -- state's by its first two columns. No index on serial: a planner
    -- would pick it for Get's serial >= ? and scan the whole state.
    PRIMARY KEY (state_source, workspace, address, attribute)
);
