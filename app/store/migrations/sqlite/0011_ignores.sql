-- Drifted values people chose to ignore (/tfdrift ignore): one row per
-- resource, attribute and ignored value, optionally expiring. The
-- pipeline drops an attribute whose actual value is ignored here, so the
-- same drift stays quiet and a different value speaks again. Keep in step
-- with postgres/0011_ignores.sql.
CREATE TABLE drift_ignores (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- ticket.ResourceKey, its NUL separators stored as U+001F.
    resource_key TEXT    NOT NULL,
    attribute    TEXT    NOT NULL,
    -- a hash of the ignored value's canonical JSON.
    value_hash   TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL DEFAULT '',
    actor        TEXT    NOT NULL DEFAULT '',
    note         TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    -- NULL: never.
    expires_at   INTEGER
);
CREATE INDEX drift_ignores_resource ON drift_ignores (resource_key, attribute);
