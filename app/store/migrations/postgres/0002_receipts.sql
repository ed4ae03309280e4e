-- Receipts: what a delivered notice left at its destination (a Jira key,
-- a PagerDuty dedup key, a GitHub issue), so later notices can refer to
-- it. One per (fingerprint, sink, target), the latest delivery's value;
-- found again by fingerprint or by resource (a drift on the same resource
-- with another fingerprint finds the GitHub issue). Keep in step with
-- sqlite/0002_receipts.sql.
CREATE TABLE receipts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint  TEXT        NOT NULL,
    sink         TEXT        NOT NULL,
    target       TEXT        NOT NULL DEFAULT '',
    -- ticket.ResourceKey, with its NUL separators stored as U+001F
    -- (Postgres text cannot hold NUL); '' for a whole storm group's.
    resource_key TEXT        NOT NULL DEFAULT '',
    system       TEXT        NOT NULL DEFAULT '',
    external_id  TEXT        NOT NULL DEFAULT '',
    url          TEXT        NOT NULL DEFAULT '',
    -- the notice whose delivery recorded it (NULL when put directly).
    notice_id    BIGINT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (fingerprint, sink, target)
);
CREATE INDEX receipts_resource ON receipts (resource_key, updated_at) WHERE resource_key <> '';
