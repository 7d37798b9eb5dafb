-- The deletion archive as typed copies of the rows a removal deletes (issue 14). Each archived
-- record was a row of `deletion_archive` with its JSON, made in the removal's transaction: on
-- PostgreSQL the JSON and the row's three index entries cost about twice the delete itself
-- (docs/BENCHMARKS.md, "The removal on PostgreSQL, taken apart"). Now a removal copies each
-- deleted row as it is into `archived_<table>` (the columns an account export writes of it, and
-- a password's sealed secret), with one index per table, and the JSON is made only when an
-- archive is read (a download, a restore). The archived rows move over here; a restore's
-- targets name the record (its id and organization) instead of the archive row.
-- `deletion_archive` stays as a view, one row per archived record (for operators and tests).
-- No constraint but the keys: the archive holds what was there. Keep in step with
-- ../sqlite/0017_typed_archive.sql.

CREATE TABLE archived_organizations (
    job_id           BIGINT NOT NULL,
    account_id       BIGINT NOT NULL,
    restored_by      BIGINT,
    id               BIGINT NOT NULL,
    name             TEXT,
    organization_type_id BIGINT,
    organization_status_id BIGINT,
    integration_id   BIGINT,
    psa_id           BIGINT,
    sync_state       TEXT,
    orphan_reason    TEXT,
    sync_error       TEXT,
    had_data_before_first_sync BOOLEAN,
    last_synced_at   TIMESTAMPTZ,
    created_at       TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ
);
CREATE INDEX archived_organizations_job ON archived_organizations(job_id, id);
CREATE INDEX archived_organizations_restored ON archived_organizations(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_organizations (job_id, account_id, restored_by, id, name, organization_type_id, organization_status_id, integration_id, psa_id, sync_state, orphan_reason, sync_error, had_data_before_first_sync, last_synced_at, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, r.name, r.organization_type_id, r.organization_status_id, r.integration_id, r.psa_id, r.sync_state, r.orphan_reason, r.sync_error, r.had_data_before_first_sync, r.last_synced_at, r.created_at, r.updated_at
    FROM deletion_archive a CROSS JOIN LATERAL json_populate_record(NULL::archived_organizations, a.payload::json) r WHERE a.item_kind = 'organization' ORDER BY a.id;

CREATE TABLE archived_configurations (
    job_id           BIGINT NOT NULL,
    account_id       BIGINT NOT NULL,
    restored_by      BIGINT,
    id               BIGINT NOT NULL,
    organization_id  BIGINT NOT NULL,
    name             TEXT,
    serial_number    TEXT,
    configuration_type_id BIGINT,
    configuration_status_id BIGINT,
    active           BOOLEAN,
    integration_id   BIGINT,
    psa_id           BIGINT,
    sync_state       TEXT,
    orphan_reason    TEXT,
    sync_error       TEXT,
    last_synced_at   TIMESTAMPTZ,
    created_at       TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ
);
CREATE INDEX archived_configurations_job ON archived_configurations(job_id, organization_id, id);
CREATE INDEX archived_configurations_restored ON archived_configurations(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_configurations (job_id, account_id, restored_by, id, organization_id, name, serial_number, configuration_type_id, configuration_status_id, active, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, a.organization_id, r.name, r.serial_number, r.configuration_type_id, r.configuration_status_id, r.active, r.integration_id, r.psa_id, r.sync_state, r.orphan_reason, r.sync_error, r.last_synced_at, r.created_at, r.updated_at
    FROM deletion_archive a CROSS JOIN LATERAL json_populate_record(NULL::archived_configurations, a.payload::json) r WHERE a.item_kind = 'configuration' ORDER BY a.id;

CREATE TABLE archived_contacts (
    job_id           BIGINT NOT NULL,
    account_id       BIGINT NOT NULL,
    restored_by      BIGINT,
    id               BIGINT NOT NULL,
    organization_id  BIGINT NOT NULL,
    first_name       TEXT,
    last_name        TEXT,
    email            TEXT,
    contact_type_id  BIGINT,
    integration_id   BIGINT,
    psa_id           BIGINT,
    sync_state       TEXT,
    orphan_reason    TEXT,
    sync_error       TEXT,
    last_synced_at   TIMESTAMPTZ,
    created_at       TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ
);
CREATE INDEX archived_contacts_job ON archived_contacts(job_id, organization_id, id);
CREATE INDEX archived_contacts_restored ON archived_contacts(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_contacts (job_id, account_id, restored_by, id, organization_id, first_name, last_name, email, contact_type_id, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, a.organization_id, r.first_name, r.last_name, r.email, r.contact_type_id, r.integration_id, r.psa_id, r.sync_state, r.orphan_reason, r.sync_error, r.last_synced_at, r.created_at, r.updated_at
    FROM deletion_archive a CROSS JOIN LATERAL json_populate_record(NULL::archived_contacts, a.payload::json) r WHERE a.item_kind = 'contact' ORDER BY a.id;

CREATE TABLE archived_locations (
    job_id           BIGINT NOT NULL,
    account_id       BIGINT NOT NULL,
    restored_by      BIGINT,
    id               BIGINT NOT NULL,
    organization_id  BIGINT NOT NULL,
    name             TEXT,
    address_line1    TEXT,
    city             TEXT,
    region           TEXT,
    postal_code      TEXT,
    country          TEXT,
    phone            TEXT,
    integration_id   BIGINT,
    psa_id           BIGINT,
    sync_state       TEXT,
    orphan_reason    TEXT,
    sync_error       TEXT,
    last_synced_at   TIMESTAMPTZ,
    created_at       TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ
);
CREATE INDEX archived_locations_job ON archived_locations(job_id, organization_id, id);
CREATE INDEX archived_locations_restored ON archived_locations(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_locations (job_id, account_id, restored_by, id, organization_id, name, address_line1, city, region, postal_code, country, phone, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, a.organization_id, r.name, r.address_line1, r.city, r.region, r.postal_code, r.country, r.phone, r.integration_id, r.psa_id, r.sync_state, r.orphan_reason, r.sync_error, r.last_synced_at, r.created_at, r.updated_at
    FROM deletion_archive a CROSS JOIN LATERAL json_populate_record(NULL::archived_locations, a.payload::json) r WHERE a.item_kind = 'location' ORDER BY a.id;

CREATE TABLE archived_passwords (
    job_id           BIGINT NOT NULL,
    account_id       BIGINT NOT NULL,
    restored_by      BIGINT,
    id               BIGINT NOT NULL,
    organization_id  BIGINT NOT NULL,
    name             TEXT,
    username         TEXT,
    url              TEXT,
    secret_ciphertext BYTEA,
    created_at       TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ
);
CREATE INDEX archived_passwords_job ON archived_passwords(job_id, organization_id, id);
CREATE INDEX archived_passwords_restored ON archived_passwords(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_passwords (job_id, account_id, restored_by, id, organization_id, name, username, url, secret_ciphertext, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, a.organization_id, r.name, r.username, r.url, decode(a.payload::json->>'secret_ciphertext_hex', 'hex'), r.created_at, r.updated_at
    FROM deletion_archive a CROSS JOIN LATERAL json_populate_record(NULL::archived_passwords, a.payload::json) r WHERE a.item_kind = 'password' ORDER BY a.id;

CREATE TABLE archived_documents (
    job_id           BIGINT NOT NULL,
    account_id       BIGINT NOT NULL,
    restored_by      BIGINT,
    id               BIGINT NOT NULL,
    organization_id  BIGINT NOT NULL,
    title            TEXT,
    body             TEXT,
    created_at       TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ
);
CREATE INDEX archived_documents_job ON archived_documents(job_id, organization_id, id);
CREATE INDEX archived_documents_restored ON archived_documents(restored_by) WHERE restored_by IS NOT NULL;
INSERT INTO archived_documents (job_id, account_id, restored_by, id, organization_id, title, body, created_at, updated_at)
    SELECT a.job_id, a.account_id, a.restored_by, a.item_id, a.organization_id, r.title, r.body, r.created_at, r.updated_at
    FROM deletion_archive a CROSS JOIN LATERAL json_populate_record(NULL::archived_documents, a.payload::json) r WHERE a.item_kind = 'document' ORDER BY a.id;

-- A restore's targets: the archived record's id and organization (the archive's key).
ALTER TABLE restore_targets ADD COLUMN organization_id BIGINT;
UPDATE restore_targets t SET archive_id = a.item_id, organization_id = a.organization_id
    FROM deletion_archive a WHERE a.id = t.archive_id;
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
