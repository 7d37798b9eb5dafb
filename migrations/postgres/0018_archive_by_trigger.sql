-- A removal's archive written by the delete itself (issue 14). Until now the worker copied each
-- kind of child into `archived_<table>` with `DELETE ... RETURNING` and then deleted the
-- organizations, whose foreign keys' cascade looked for every deleted child again, one query per
-- organization and table. Now the worker sets `steward.archive_job` for its chunk's transaction
-- (`set_config(..., true)`: gone at commit or rollback) and deletes only the targets: the cascade
-- deletes their children, and these statement triggers copy every row the statement deleted,
-- from its transition table, into the archive. What is archived is exactly what was deleted, in
-- the same statement; any other delete (no job set) archives nothing.
-- The columns are those `archived_columns` names (the account export's) and a password's sealed
-- secret. tests/restores.rs compares every column of every record a removal and its restore
-- brought back, on both databases.
-- SQLite has no transition tables: its worker copies each kind before deleting it
-- (../sqlite has no migration 0018).

CREATE FUNCTION organizations_archive() RETURNS trigger AS $$
DECLARE job TEXT := current_setting('steward.archive_job', true);
BEGIN
    IF job IS NOT NULL AND job <> '' THEN
        INSERT INTO archived_organizations (job_id, account_id, id, name, organization_type_id, organization_status_id, integration_id, psa_id, sync_state, orphan_reason, sync_error, had_data_before_first_sync, last_synced_at, created_at, updated_at)
            SELECT job::BIGINT, g.account_id, g.id, g.name, g.organization_type_id, g.organization_status_id, g.integration_id, g.psa_id, g.sync_state, g.orphan_reason, g.sync_error, g.had_data_before_first_sync, g.last_synced_at, g.created_at, g.updated_at FROM gone g;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER organizations_archive AFTER DELETE ON organizations REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION organizations_archive();

CREATE FUNCTION configurations_archive() RETURNS trigger AS $$
DECLARE job TEXT := current_setting('steward.archive_job', true);
BEGIN
    IF job IS NOT NULL AND job <> '' THEN
        INSERT INTO archived_configurations (job_id, account_id, id, organization_id, name, serial_number, configuration_type_id, configuration_status_id, active, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at)
            SELECT job::BIGINT, g.account_id, g.id, g.organization_id, g.name, g.serial_number, g.configuration_type_id, g.configuration_status_id, g.active, g.integration_id, g.psa_id, g.sync_state, g.orphan_reason, g.sync_error, g.last_synced_at, g.created_at, g.updated_at FROM gone g;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER configurations_archive AFTER DELETE ON configurations REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION configurations_archive();

CREATE FUNCTION contacts_archive() RETURNS trigger AS $$
DECLARE job TEXT := current_setting('steward.archive_job', true);
BEGIN
    IF job IS NOT NULL AND job <> '' THEN
        INSERT INTO archived_contacts (job_id, account_id, id, organization_id, first_name, last_name, email, contact_type_id, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at)
            SELECT job::BIGINT, g.account_id, g.id, g.organization_id, g.first_name, g.last_name, g.email, g.contact_type_id, g.integration_id, g.psa_id, g.sync_state, g.orphan_reason, g.sync_error, g.last_synced_at, g.created_at, g.updated_at FROM gone g;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER contacts_archive AFTER DELETE ON contacts REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_archive();

CREATE FUNCTION locations_archive() RETURNS trigger AS $$
DECLARE job TEXT := current_setting('steward.archive_job', true);
BEGIN
    IF job IS NOT NULL AND job <> '' THEN
        INSERT INTO archived_locations (job_id, account_id, id, organization_id, name, address_line1, city, region, postal_code, country, phone, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at)
            SELECT job::BIGINT, g.account_id, g.id, g.organization_id, g.name, g.address_line1, g.city, g.region, g.postal_code, g.country, g.phone, g.integration_id, g.psa_id, g.sync_state, g.orphan_reason, g.sync_error, g.last_synced_at, g.created_at, g.updated_at FROM gone g;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER locations_archive AFTER DELETE ON locations REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION locations_archive();

CREATE FUNCTION passwords_archive() RETURNS trigger AS $$
DECLARE job TEXT := current_setting('steward.archive_job', true);
BEGIN
    IF job IS NOT NULL AND job <> '' THEN
        INSERT INTO archived_passwords (job_id, account_id, id, organization_id, name, username, url, secret_ciphertext, created_at, updated_at)
            SELECT job::BIGINT, g.account_id, g.id, g.organization_id, g.name, g.username, g.url, g.secret_ciphertext, g.created_at, g.updated_at FROM gone g;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER passwords_archive AFTER DELETE ON passwords REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION passwords_archive();

CREATE FUNCTION documents_archive() RETURNS trigger AS $$
DECLARE job TEXT := current_setting('steward.archive_job', true);
BEGIN
    IF job IS NOT NULL AND job <> '' THEN
        INSERT INTO archived_documents (job_id, account_id, id, organization_id, title, body, created_at, updated_at)
            SELECT job::BIGINT, g.account_id, g.id, g.organization_id, g.title, g.body, g.created_at, g.updated_at FROM gone g;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER documents_archive AFTER DELETE ON documents REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION documents_archive();
