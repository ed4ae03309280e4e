-- The GitHub App's accept pull requests: which resource each is for, the
-- drifts folded into its edit, and whether it is open, merged or closed.
-- A new drift on a resource with an open pull request updates it; a merge
-- resolves exactly the drifts it held. Keep in step with
-- postgres/0012_reconcile_pulls.sql.
CREATE TABLE reconcile_pulls (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- owner/name, lower-case.
    repo         TEXT    NOT NULL,
    number       INTEGER NOT NULL,
    branch       TEXT    NOT NULL,
    -- the drifts' state source and resource address, and the root module.
    state_key    TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    root         TEXT    NOT NULL DEFAULT '',
    -- the drift issue it closes (0: none known).
    issue        INTEGER NOT NULL DEFAULT 0,
    base_sha     TEXT    NOT NULL DEFAULT '',
    head_sha     TEXT    NOT NULL DEFAULT '',
    -- the fingerprints of the drifts in its edit, as a JSON array.
    fingerprints TEXT    NOT NULL DEFAULT '[]',
    status       TEXT    NOT NULL CHECK (status IN ('open', 'merged', 'closed')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (repo, number)
);
CREATE INDEX reconcile_pulls_resource ON reconcile_pulls (repo, state_key, address, status);
-- The drifts of one resource (List by resource_address).
CREATE INDEX drifts_resource_address ON drifts (resource_address, id);
