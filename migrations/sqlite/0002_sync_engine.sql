-- The sync engine. Keep in step with ../postgres/0002_sync_engine.sql.

-- A running run proves it is alive by touching heartbeat_at; a run whose heartbeat is stale was
-- cut off (crash, restart) and is closed as failed before the next one starts.
ALTER TABLE sync_runs ADD COLUMN heartbeat_at TEXT;

-- One running sync per integration, whichever app node started it: the second INSERT fails.
CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs(integration_id) WHERE outcome = 'running';

-- What a run has listed so far, one row per PSA record (the record as JSON). Nothing in the item
-- tables changes until the listing is complete; a failed run only deletes its rows here.
CREATE TABLE sync_staging (
    run_id          INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
    item_kind       TEXT NOT NULL CHECK (item_kind IN ('organization','configuration','contact','location')),
    psa_id          INTEGER NOT NULL,
    record          TEXT NOT NULL,
    PRIMARY KEY (run_id, item_kind, psa_id)
);
