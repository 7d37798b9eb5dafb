-- The deletion archive as typed copies of the rows a removal deletes (issue 14): a removal
-- copies each deleted row as it is into `archived_<table>` (the columns an account export writes
-- of it, and a password's sealed secret), with one index per table, and the JSON is made only
-- when an archive is read (a download, a restore). The archived rows move over here; a
-- restore's targets name the record (its id and organization) instead of the archive row.
-- `deletion_archive` stays as a view, one row per archived record (for operators and tests).
-- No constraint but the keys: the archive holds what was there. Keep in step with
-- ../postgres/0017_typed_archive.sql.

CREATE TABLE archived_organizations (
    job_id           INTEGER NOT NULL,
    account_id       INTEGER NOT NULL,
    restored_by      INTEGER,
    id               INTEGER NOT NULL,
    name             TEXT,
    organization_type_id INTEGER,
    organization_status_id INTEGER,
    integration_id   INTEGER,
    psa_id           INTEGER,
    sync_state       TEXT,
    orphan_reason    TEXT,
    sync_error       TEXT,
    had_data_before_first_sync BOOLEAN,
    last_synced_at   TEXT,
    created_at       TEXT,
    updated_at       TEXT
);
CREATE INDEX archived_organizations_job ON archived_organizations(job_id, id);
CREATE INDEX archived_organizations_restored ON archived_organizations(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_organizations (job_id, account_id, restored_by, id, name, organization_type_id, organization_status_id, integration_id, psa_id, sync_state, orphan_reason, sync_error, had_data_before_first_sync, last_synced_at, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, json_extract(a.payload, '$.name'), json_extract(a.payload, '$.organization_type_id'), json_extract(a.payload, '$.organization_status_id'), json_extract(a.payload, '$.integration_id'), json_extract(a.payload, '$.psa_id'), json_extract(a.payload, '$.sync_state'), json_extract(a.payload, '$.orphan_reason'), json_extract(a.payload, '$.sync_error'), json_extract(a.payload, '$.had_data_before_first_sync'), json_extract(a.payload, '$.last_synced_at'), json_extract(a.payload, '$.created_at'), json_extract(a.payload, '$.updated_at')
    FROM deletion_archive a WHERE a.item_kind = 'organization' ORDER BY a.id;

CREATE TABLE archived_configurations (
    job_id           INTEGER NOT NULL,
    account_id       INTEGER NOT NULL,
    restored_by      INTEGER,
    id               INTEGER NOT NULL,
    organization_id  INTEGER NOT NULL,
    name             TEXT,
    serial_number    TEXT,
    configuration_type_id INTEGER,
    configuration_status_id INTEGER,
    active           BOOLEAN,
    integration_id   INTEGER,
    psa_id           INTEGER,
    sync_state       TEXT,
    orphan_reason    TEXT,
    sync_error       TEXT,
    last_synced_at   TEXT,
    created_at       TEXT,
    updated_at       TEXT
);
CREATE INDEX archived_configurations_job ON archived_configurations(job_id, organization_id, id);
CREATE INDEX archived_configurations_restored ON archived_configurations(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_configurations (job_id, account_id, restored_by, id, organization_id, name, serial_number, configuration_type_id, configuration_status_id, active, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, a.organization_id, json_extract(a.payload, '$.name'), json_extract(a.payload, '$.serial_number'), json_extract(a.payload, '$.configuration_type_id'), json_extract(a.payload, '$.configuration_status_id'), json_extract(a.payload, '$.active'), json_extract(a.payload, '$.integration_id'), json_extract(a.payload, '$.psa_id'), json_extract(a.payload, '$.sync_state'), json_extract(a.payload, '$.orphan_reason'), json_extract(a.payload, '$.sync_error'), json_extract(a.payload, '$.last_synced_at'), json_extract(a.payload, '$.created_at'), json_extract(a.payload, '$.updated_at')
    FROM deletion_archive a WHERE a.item_kind = 'configuration' ORDER BY a.id;

CREATE TABLE archived_contacts (
    job_id           INTEGER NOT NULL,
    account_id       INTEGER NOT NULL,
    restored_by      INTEGER,
    id               INTEGER NOT NULL,
    organization_id  INTEGER NOT NULL,
    first_name       TEXT,
    last_name        TEXT,
    email            TEXT,
    contact_type_id  INTEGER,
    integration_id   INTEGER,
    psa_id           INTEGER,
    sync_state       TEXT,
    orphan_reason    TEXT,
    sync_error       TEXT,
    last_synced_at   TEXT,
    created_at       TEXT,
    updated_at       TEXT
);
CREATE INDEX archived_contacts_job ON archived_contacts(job_id, organization_id, id);
CREATE INDEX archived_contacts_restored ON archived_contacts(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_contacts (job_id, account_id, restored_by, id, organization_id, first_name, last_name, email, contact_type_id, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, a.organization_id, json_extract(a.payload, '$.first_name'), json_extract(a.payload, '$.last_name'), json_extract(a.payload, '$.email'), json_extract(a.payload, '$.contact_type_id'), json_extract(a.payload, '$.integration_id'), json_extract(a.payload, '$.psa_id'), json_extract(a.payload, '$.sync_state'), json_extract(a.payload, '$.orphan_reason'), json_extract(a.payload, '$.sync_error'), json_extract(a.payload, '$.last_synced_at'), json_extract(a.payload, '$.created_at'), json_extract(a.payload, '$.updated_at')
    FROM deletion_archive a WHERE a.item_kind = 'contact' ORDER BY a.id;

CREATE TABLE archived_locations (
    job_id           INTEGER NOT NULL,
    account_id       INTEGER NOT NULL,
    restored_by      INTEGER,
    id               INTEGER NOT NULL,
    organization_id  INTEGER NOT NULL,
    name             TEXT,
    address_line1    TEXT,
    city             TEXT,
    region           TEXT,
    postal_code      TEXT,
    country          TEXT,
    phone            TEXT,
    integration_id   INTEGER,
    psa_id           INTEGER,
    sync_state       TEXT,
    orphan_reason    TEXT,
    sync_error       TEXT,
    last_synced_at   TEXT,
    created_at       TEXT,
    updated_at       TEXT
);
CREATE INDEX archived_locations_job ON archived_locations(job_id, organization_id, id);
CREATE INDEX archived_locations_restored ON archived_locations(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_locations (job_id, account_id, restored_by, id, organization_id, name, address_line1, city, region, postal_code, country, phone, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, a.organization_id, json_extract(a.payload, '$.name'), json_extract(a.payload, '$.address_line1'), json_extract(a.payload, '$.city'), json_extract(a.payload, '$.region'), json_extract(a.payload, '$.postal_code'), json_extract(a.payload, '$.country'), json_extract(a.payload, '$.phone'), json_extract(a.payload, '$.integration_id'), json_extract(a.payload, '$.psa_id'), json_extract(a.payload, '$.sync_state'), json_extract(a.payload, '$.orphan_reason'), json_extract(a.payload, '$.sync_error'), json_extract(a.payload, '$.last_synced_at'), json_extract(a.payload, '$.created_at'), json_extract(a.payload, '$.updated_at')
    FROM deletion_archive a WHERE a.item_kind = 'location' ORDER BY a.id;

CREATE TABLE archived_passwords (
    job_id           INTEGER NOT NULL,
    account_id       INTEGER NOT NULL,
    restored_by      INTEGER,
    id               INTEGER NOT NULL,
    organization_id  INTEGER NOT NULL,
    name             TEXT,
    username         TEXT,
    url              TEXT,
    secret_ciphertext BLOB,
    created_at       TEXT,
    updated_at       TEXT
);
CREATE INDEX archived_passwords_job ON archived_passwords(job_id, organization_id, id);
CREATE INDEX archived_passwords_restored ON archived_passwords(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_passwords (job_id, account_id, restored_by, id, organization_id, name, username, url, secret_ciphertext, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, a.organization_id, json_extract(a.payload, '$.name'), json_extract(a.payload, '$.username'), json_extract(a.payload, '$.url'), unhex(json_extract(a.payload, '$.secret_ciphertext_hex')), json_extract(a.payload, '$.created_at'), json_extract(a.payload, '$.updated_at')
    FROM deletion_archive a WHERE a.item_kind = 'password' ORDER BY a.id;

CREATE TABLE archived_documents (
    job_id           INTEGER NOT NULL,
    account_id       INTEGER NOT NULL,
    restored_by      INTEGER,
    id               INTEGER NOT NULL,
    organization_id  INTEGER NOT NULL,
    title            TEXT,
    body             TEXT,
    created_at       TEXT,
    updated_at       TEXT
);
CREATE INDEX archived_documents_job ON archived_documents(job_id, organization_id, id);
CREATE INDEX archived_documents_restored ON archived_documents(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_documents (job_id, account_id, restored_by, id, organization_id, title, body, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, a.organization_id, json_extract(a.payload, '$.title'), json_extract(a.payload, '$.body'), json_extract(a.payload, '$.created_at'), json_extract(a.payload, '$.updated_at')
    FROM deletion_archive a WHERE a.item_kind = 'document' ORDER BY a.id;

-- A restore's targets: the archived record's id and organization (the archive's key).
ALTER TABLE restore_targets ADD COLUMN organization_id INTEGER;
UPDATE restore_targets SET archive_id = a.item_id, organization_id = a.organization_id
    FROM deletion_archive a WHERE a.id = restore_targets.archive_id;
ALTER TABLE restore_targets RENAME COLUMN archive_id TO item_id;

DROP TABLE deletion_archive;
CREATE VIEW deletion_archive AS
    SELECT job_id, account_id, 'organization' AS item_kind, id AS item_id, id AS organization_id, restored_by FROM archived_organizations
    UNION ALL
    SELECT job_id, account_id, 'configuration' AS item_kind, id AS item_id, organization_id AS organization_id, restored_by FROM archived_configurations
    UNION ALL
    SELECT job_id, account_id, 'contact' AS item_kind, id AS item_id, organization_id AS organization_id, restored_by FROM archived_contacts
    UNION ALL
    SELECT job_id, account_id, 'location' AS item_kind, id AS item_id, organization_id AS organization_id, restored_by FROM archived_locations
    UNION ALL
    SELECT job_id, account_id, 'password' AS item_kind, id AS item_id, organization_id AS organization_id, restored_by FROM archived_passwords
    UNION ALL
    SELECT job_id, account_id, 'document' AS item_kind, id AS item_id, organization_id AS organization_id, restored_by FROM archived_documents;
