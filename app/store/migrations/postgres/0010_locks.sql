-- Named leases shared by replicas: the per-root lock of a revert, so two
-- replicas or two comments never run one root module at once. A lease
-- whose expires_at has passed is free: its holder died or hung. token
-- tells the holder's own lease from a later holder's. Keep in step with
-- sqlite/0010_locks.sql.
CREATE TABLE locks (
    name        TEXT        PRIMARY KEY,
    token       TEXT        NOT NULL,
    holder      TEXT        NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
