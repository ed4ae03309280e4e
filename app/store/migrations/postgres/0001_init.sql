-- tfdrift store schema, Postgres. Keep in step with sqlite/0001_init.sql:
-- the Go code shares its SQL between both.

-- One row per drift fingerprint: the lifecycle record.
CREATE TABLE drifts (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint       TEXT        NOT NULL UNIQUE,
    status            TEXT        NOT NULL
                      CHECK (status IN ('open', 'acknowledged', 'resolved', 'ignored')),
    change_type       TEXT        NOT NULL,
    provider          TEXT        NOT NULL,
    account_id        TEXT        NOT NULL,
    region            TEXT        NOT NULL,
    resource_type     TEXT        NOT NULL,
    resource_id       TEXT        NOT NULL,
    resource_address  TEXT        NOT NULL,
    severity          TEXT        NOT NULL,
    severity_rank     INTEGER     NOT NULL,
    first_seen        TIMESTAMPTZ NOT NULL,
    last_seen         TIMESTAMPTZ NOT NULL,
    seen_count        BIGINT      NOT NULL,
    -- sightings since the record was last opened; 1 means "this sighting
    -- opened it", which is how RecordDrift knows to enqueue notices.
    episode_count     BIGINT      NOT NULL,
    reopened_count    INTEGER     NOT NULL DEFAULT 0,
    -- the latest sighting as drift.Record JSON (json, not jsonb: kept
    -- verbatim, and jsonb rejects \u0000), and its raw audit record.
    record            JSON        NOT NULL,
    raw_event         BYTEA,
    status_changed_at TIMESTAMPTZ NOT NULL,
    status_actor      TEXT        NOT NULL DEFAULT '',
    status_note       TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX drifts_status_id ON drifts (status, id);
CREATE INDEX drifts_resource_type_id ON drifts (resource_type, id);
CREATE INDEX drifts_last_seen ON drifts (last_seen);

-- Status changes, for audit ("who acknowledged this, when").
CREATE TABLE drift_history (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint TEXT        NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    from_status TEXT        NOT NULL,
    to_status   TEXT        NOT NULL,
    actor       TEXT        NOT NULL,
    note        TEXT        NOT NULL
);
CREATE INDEX drift_history_fingerprint ON drift_history (fingerprint, id);

-- The outbox. A notice is unique per (idempotency_key, episode): a
-- re-delivered event or a second replica can never enqueue it twice, and a
-- reopened record (new episode) notifies again.
CREATE TABLE notices (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint     TEXT        NOT NULL DEFAULT '',
    episode         INTEGER     NOT NULL DEFAULT 0,
    sink            TEXT        NOT NULL,
    idempotency_key TEXT        NOT NULL,
    payload         BYTEA       NOT NULL,
    status          TEXT        NOT NULL
                    CHECK (status IN ('pending', 'inflight', 'delivered', 'dead')),
    attempts        INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error      TEXT        NOT NULL DEFAULT '',
    lease_owner     TEXT        NOT NULL DEFAULT '',
    lease_until     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ,
    UNIQUE (idempotency_key, episode)
);
-- What ClaimNotices scans: due pending notices and expired leases.
CREATE INDEX notices_due ON notices (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notices_lease ON notices (lease_until) WHERE status = 'inflight';
CREATE INDEX notices_status_sink ON notices (status, sink, id);
CREATE INDEX notices_fingerprint ON notices (fingerprint, id);
CREATE INDEX notices_delivered_at ON notices (delivered_at) WHERE status = 'delivered';

-- Input event IDs seen by any replica, for cross-replica dedup.
CREATE TABLE seen_events (
    source     TEXT        NOT NULL,
    event_id   TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX seen_events_created_at ON seen_events (created_at);
