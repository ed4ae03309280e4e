-- Storm control inside the outbox. RecordDrift decides, in the transaction
-- that opens a drift record, whether each of its notices goes out now or
-- joins a storm window; windows are outbox rows that fall due when the
-- window ends and are flushed by claim (ClaimStorms, FlushStorm), so
-- replicas share one count and a crash loses no held drift. Keep in step
-- with postgres/0003_storms.sql.

-- One row per storm key (sink, target, URL and actor, hashed): the row a
-- decision locks, so two replicas deciding for one key take turns.
CREATE TABLE storm_keys (
    storm_key  TEXT    PRIMARY KEY,
    touched_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Drifts counted towards a key's threshold: one per opened drift notice
-- under storm control, pruned once older than the window.
CREATE TABLE storm_arrivals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    storm_key   TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    fingerprint TEXT    NOT NULL
);
CREATE INDEX storm_arrivals_key_at ON storm_arrivals (storm_key, at);

-- A storm window: open while it collects (until due_at), flushing while a
-- worker holds its lease, flushed once its notice is enqueued.
CREATE TABLE storm_windows (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    storm_key   TEXT    NOT NULL,
    sink        TEXT    NOT NULL,
    status      TEXT    NOT NULL
                CHECK (status IN ('open', 'flushing', 'flushed')),
    opened_at   INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT    NOT NULL DEFAULT '',
    lease_until INTEGER,
    flushed_at  INTEGER,
    -- how many notices the flush enqueued (a group is one).
    released    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX storm_windows_open ON storm_windows (storm_key, id) WHERE status = 'open';
CREATE INDEX storm_windows_due ON storm_windows (due_at) WHERE status = 'open';
CREATE INDEX storm_windows_lease ON storm_windows (lease_until) WHERE status = 'flushing';
CREATE INDEX storm_windows_flushed_at ON storm_windows (flushed_at) WHERE status = 'flushed';

-- The drifts a window holds, each fingerprint once, with the notice as the
-- router made it (its payload is emptied once the window is flushed; the
-- group notice carries the drifts then).
CREATE TABLE storm_members (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    window_id       INTEGER NOT NULL,
    fingerprint     TEXT    NOT NULL,
    episode         INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    sink            TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    payload         BLOB    NOT NULL,
    UNIQUE (window_id, fingerprint)
);
CREATE INDEX storm_members_fingerprint ON storm_members (fingerprint);
