-- Steward's schema, SQLite flavour. Keep in step with ../postgres/0001_initial.sql.
-- Every row carries account_id; every query filters by it.

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Features support switches on per account (bulk-delete-by-type, full-delete).
CREATE TABLE account_features (
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    feature     TEXT NOT NULL,
    enabled_at  TEXT NOT NULL,
    PRIMARY KEY (account_id, feature)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('administrator','manager','editor','creator','lite','read_only')),
    -- When true the user sees only the organizations in user_organization_access.
    restricted     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TEXT NOT NULL
);
CREATE INDEX users_account ON users(account_id);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token: a leaked database does not leak sessions.
    token_hash   TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE psa_integrations (
    id                      INTEGER PRIMARY KEY,
    account_id              INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind                    TEXT NOT NULL CHECK (kind IN ('connectwise_manage','autotask','halopsa')),
    name                    TEXT NOT NULL,
    site_url                TEXT NOT NULL,
    -- Sealed with the server's key; never sent to a browser.
    credentials_ciphertext  BLOB,
    state                   TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','paused')),
    sync_contacts           BOOLEAN NOT NULL DEFAULT TRUE,
    schedule_minutes        INTEGER NOT NULL DEFAULT 60 CHECK (schedule_minutes > 0),
    last_full_sync_at       TEXT,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX psa_integrations_account ON psa_integrations(account_id);

-- The PSA's lists with a sync checkbox each ("Sync Active").
CREATE TABLE psa_catalog_values (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    integration_id  INTEGER NOT NULL REFERENCES psa_integrations(id) ON DELETE CASCADE,
    category        TEXT NOT NULL CHECK (category IN ('organization_type','organization_status','configuration_type','configuration_status','contact_type')),
    psa_id          INTEGER NOT NULL,
    name            TEXT NOT NULL,
    sync_enabled    BOOLEAN NOT NULL,
    UNIQUE (integration_id, category, psa_id)
);
CREATE INDEX psa_catalog_values_account ON psa_catalog_values(account_id, integration_id, category);

CREATE TABLE organizations (
    id                          INTEGER PRIMARY KEY,
    account_id                  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name                        TEXT NOT NULL,
    organization_type_id        INTEGER REFERENCES psa_catalog_values(id) ON DELETE SET NULL,
    organization_status_id      INTEGER REFERENCES psa_catalog_values(id) ON DELETE SET NULL,
    -- The PSA link: both or neither. Neither = stand-alone (no plug).
    integration_id              INTEGER REFERENCES psa_integrations(id) ON DELETE SET NULL,
    psa_id                      INTEGER,
    sync_state                  TEXT CHECK (sync_state IN ('enabled','disabled','orphaned','error')),
    orphan_reason               TEXT CHECK (orphan_reason IN ('type_not_synced','status_not_synced','deleted_in_psa','parent_not_syncing','inactive_status_not_synced')),
    sync_error                  TEXT,
    had_data_before_first_sync  BOOLEAN NOT NULL DEFAULT FALSE,
    last_synced_at              TEXT,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL,
    CHECK ((integration_id IS NULL) = (psa_id IS NULL)),
    CHECK ((integration_id IS NULL) = (sync_state IS NULL)),
    CHECK ((sync_state = 'orphaned') = (orphan_reason IS NOT NULL)),
    UNIQUE (integration_id, psa_id)
);
CREATE INDEX organizations_by_type ON organizations(account_id, integration_id, organization_type_id, sync_state);
CREATE INDEX organizations_by_status ON organizations(account_id, integration_id, organization_status_id, sync_state);
CREATE INDEX organizations_orphans ON organizations(account_id, integration_id, sync_state, orphan_reason);
CREATE INDEX organizations_name ON organizations(account_id, name);

CREATE TABLE configurations (
    id                          INTEGER PRIMARY KEY,
    account_id                  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    organization_id             INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name                        TEXT NOT NULL,
    serial_number               TEXT,
    configuration_type_id       INTEGER REFERENCES psa_catalog_values(id) ON DELETE SET NULL,
    configuration_status_id     INTEGER REFERENCES psa_catalog_values(id) ON DELETE SET NULL,
    active                      BOOLEAN NOT NULL DEFAULT TRUE,
    integration_id              INTEGER REFERENCES psa_integrations(id) ON DELETE SET NULL,
    psa_id                      INTEGER,
    sync_state                  TEXT CHECK (sync_state IN ('enabled','disabled','orphaned','error')),
    orphan_reason               TEXT CHECK (orphan_reason IN ('type_not_synced','status_not_synced','deleted_in_psa','parent_not_syncing','inactive_status_not_synced')),
    sync_error                  TEXT,
    had_data_before_first_sync  BOOLEAN NOT NULL DEFAULT FALSE,
    last_synced_at              TEXT,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL,
    CHECK ((integration_id IS NULL) = (psa_id IS NULL)),
    CHECK ((integration_id IS NULL) = (sync_state IS NULL)),
    CHECK ((sync_state = 'orphaned') = (orphan_reason IS NOT NULL)),
    UNIQUE (integration_id, psa_id)
);
CREATE INDEX configurations_by_type ON configurations(account_id, integration_id, configuration_type_id, sync_state);
CREATE INDEX configurations_by_status ON configurations(account_id, integration_id, configuration_status_id, sync_state);
CREATE INDEX configurations_orphans ON configurations(account_id, integration_id, sync_state, orphan_reason);
CREATE INDEX configurations_organization ON configurations(organization_id);
CREATE INDEX configurations_name ON configurations(account_id, name);

CREATE TABLE contacts (
    id                          INTEGER PRIMARY KEY,
    account_id                  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    organization_id             INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    first_name                  TEXT NOT NULL,
    last_name                   TEXT NOT NULL,
    email                       TEXT,
    contact_type_id             INTEGER REFERENCES psa_catalog_values(id) ON DELETE SET NULL,
    integration_id              INTEGER REFERENCES psa_integrations(id) ON DELETE SET NULL,
    psa_id                      INTEGER,
    sync_state                  TEXT CHECK (sync_state IN ('enabled','disabled','orphaned','error')),
    orphan_reason               TEXT CHECK (orphan_reason IN ('type_not_synced','status_not_synced','deleted_in_psa','parent_not_syncing','inactive_status_not_synced')),
    sync_error                  TEXT,
    had_data_before_first_sync  BOOLEAN NOT NULL DEFAULT FALSE,
    last_synced_at              TEXT,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL,
    CHECK ((integration_id IS NULL) = (psa_id IS NULL)),
    CHECK ((integration_id IS NULL) = (sync_state IS NULL)),
    CHECK ((sync_state = 'orphaned') = (orphan_reason IS NOT NULL)),
    UNIQUE (integration_id, psa_id)
);
CREATE INDEX contacts_by_type ON contacts(account_id, integration_id, contact_type_id, sync_state);
CREATE INDEX contacts_orphans ON contacts(account_id, integration_id, sync_state, orphan_reason);
CREATE INDEX contacts_organization ON contacts(organization_id);

-- PSA sites.
CREATE TABLE locations (
    id                          INTEGER PRIMARY KEY,
    account_id                  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    organization_id             INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name                        TEXT NOT NULL,
    address_line1               TEXT,
    city                        TEXT,
    region                      TEXT,
    postal_code                 TEXT,
    country                     TEXT,
    phone                       TEXT,
    integration_id              INTEGER REFERENCES psa_integrations(id) ON DELETE SET NULL,
    psa_id                      INTEGER,
    sync_state                  TEXT CHECK (sync_state IN ('enabled','disabled','orphaned','error')),
    orphan_reason               TEXT CHECK (orphan_reason IN ('type_not_synced','status_not_synced','deleted_in_psa','parent_not_syncing','inactive_status_not_synced')),
    sync_error                  TEXT,
    had_data_before_first_sync  BOOLEAN NOT NULL DEFAULT FALSE,
    last_synced_at              TEXT,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL,
    CHECK ((integration_id IS NULL) = (psa_id IS NULL)),
    CHECK ((integration_id IS NULL) = (sync_state IS NULL)),
    CHECK ((sync_state = 'orphaned') = (orphan_reason IS NOT NULL)),
    UNIQUE (integration_id, psa_id)
);
CREATE INDEX locations_orphans ON locations(account_id, integration_id, sync_state, orphan_reason);
CREATE INDEX locations_organization ON locations(organization_id);

-- Data that exists only in Steward: lost for good when its organization is deleted.
CREATE TABLE passwords (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    organization_id    INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    username           TEXT,
    url                TEXT,
    secret_ciphertext  BLOB NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX passwords_organization ON passwords(organization_id);

CREATE TABLE documents (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    organization_id  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX documents_organization ON documents(organization_id);

-- Users limited to some organizations see only these.
CREATE TABLE user_organization_access (
    account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organization_id  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, organization_id)
);

-- Individually disconnected items (red plug), kept after a local delete so they can be reconnected.
CREATE TABLE disconnected_items (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    integration_id     INTEGER NOT NULL REFERENCES psa_integrations(id) ON DELETE CASCADE,
    item_kind          TEXT NOT NULL CHECK (item_kind IN ('organization','configuration','contact','location')),
    psa_id             INTEGER NOT NULL,
    -- NULL once the item was deleted locally.
    item_id            INTEGER,
    organization_id    INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
    name               TEXT NOT NULL,
    organization_name  TEXT,
    disconnected_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    disconnected_at    TEXT NOT NULL,
    deleted_locally_at TEXT,
    UNIQUE (integration_id, item_kind, psa_id)
);
CREATE INDEX disconnected_items_account ON disconnected_items(account_id, integration_id, item_kind);

CREATE TABLE sync_runs (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    integration_id  INTEGER NOT NULL REFERENCES psa_integrations(id) ON DELETE CASCADE,
    mode            TEXT NOT NULL CHECK (mode IN ('full','incremental')),
    trigger_source  TEXT NOT NULL CHECK (trigger_source IN ('schedule','manual','fixture')),
    outcome         TEXT NOT NULL CHECK (outcome IN ('running','succeeded','failed')),
    error_message   TEXT,
    created_count   INTEGER NOT NULL DEFAULT 0,
    updated_count   INTEGER NOT NULL DEFAULT 0,
    orphaned_count  INTEGER NOT NULL DEFAULT 0,
    unchanged_count INTEGER NOT NULL DEFAULT 0,
    failed_count    INTEGER NOT NULL DEFAULT 0,
    started_at      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE INDEX sync_runs_integration ON sync_runs(account_id, integration_id, started_at);

CREATE TABLE sync_events (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    run_id      INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
    level       TEXT NOT NULL CHECK (level IN ('info','warning','error')),
    item_kind   TEXT CHECK (item_kind IN ('organization','configuration','contact','location')),
    item_id     INTEGER,
    psa_id      INTEGER,
    reason      TEXT,
    message     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX sync_events_run ON sync_events(run_id, level);

-- The job queue (removals and later long operations).
CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled')),
    unique_key      TEXT UNIQUE,
    args            TEXT NOT NULL,
    attempt         INTEGER NOT NULL DEFAULT 0,
    max_attempts    INTEGER NOT NULL DEFAULT 5,
    run_at          TEXT NOT NULL,
    heartbeat_at    TEXT,
    locked_by       TEXT,
    progress_done   INTEGER NOT NULL DEFAULT 0,
    progress_total  INTEGER NOT NULL DEFAULT 0,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    last_error      TEXT,
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT
);
CREATE INDEX jobs_claim ON jobs(state, run_at);
CREATE INDEX jobs_account ON jobs(account_id, created_at);

CREATE TABLE activity_log (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- Who, when the actor is not a user (the operator CLI, the sync engine).
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '{}',
    outcome     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX activity_log_account ON activity_log(account_id, created_at);
