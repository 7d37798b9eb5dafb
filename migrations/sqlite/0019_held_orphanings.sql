-- No mass orphaning without a person (DOMAIN.md, sync rule 1b): a full sync that would newly
-- orphan as "deleted in PSA" more than a share of an integration's linked items of one kind
-- holds those orphanings here until an Administrator confirms or discards them on Manage Data.
-- The share is per integration. Items are referred to by id without a foreign key: a held
-- item deleted meanwhile simply has nothing left to orphan. Keep in step with ../postgres/.
ALTER TABLE psa_integrations ADD COLUMN hold_orphans_percent INTEGER NOT NULL DEFAULT 10
    CHECK (hold_orphans_percent BETWEEN 0 AND 100);
ALTER TABLE psa_integrations ADD COLUMN hold_orphans_min INTEGER NOT NULL DEFAULT 20
    CHECK (hold_orphans_min >= 0);

CREATE TABLE held_orphanings (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    integration_id INTEGER NOT NULL REFERENCES psa_integrations(id) ON DELETE CASCADE,
    run_id         INTEGER NOT NULL,
    item_kind      TEXT NOT NULL CHECK (item_kind IN ('organization','configuration','contact','location')),
    item_id        INTEGER NOT NULL,
    psa_id         INTEGER NOT NULL,
    held_at        TEXT NOT NULL,
    UNIQUE (integration_id, item_kind, item_id)
);
CREATE INDEX held_orphanings_account ON held_orphanings(account_id, integration_id);
