-- A removal's archive written by the delete itself (issue 14). Until now the worker copied each
-- kind of child into `archived_<table>` with `DELETE ... RETURNING` and then deleted the
-- organizations, whose foreign keys' cascade looked for every deleted child again, one query per
-- organization and table. Now the worker sets `steward.archive_job` for its chunk's transaction
-- (`set_config(..., true)`: gone at commit or rollback) and deletes only the targets: the cascade
-- deletes their children, and these statement triggers copy every row the statement deleted,
-- from its transition table, into the archive. What is archived is exactly what was deleted, in
-- the same statement; any other delete (no job set) archives nothing.
-- One function for every archived table: it copies each column `archived_<table>` has besides
-- the job, the account and `restored_by`, by name from the deleted row (a column added to an
-- archive table is copied without touching this). tests/restores.rs compares every column of
-- every record a removal and its restore brought back, on both databases.
-- SQLite has no transition tables: its worker copies each kind before deleting it
-- (../sqlite has no migration 0018).

CREATE FUNCTION archive_deleted() RETURNS trigger AS $$
DECLARE
    job TEXT := current_setting('steward.archive_job', true);
    archive REGCLASS;
    cols TEXT;
BEGIN
    IF job IS NULL OR job = '' THEN
        RETURN NULL;
    END IF;
    archive := format('%I.%I', TG_TABLE_SCHEMA, 'archived_' || TG_TABLE_NAME)::REGCLASS;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute
        WHERE attrelid = archive AND attnum > 0 AND NOT attisdropped
          AND attname NOT IN ('job_id', 'account_id', 'restored_by');
    EXECUTE format('INSERT INTO %s (job_id, account_id, %s) SELECT $1, account_id, %s FROM gone',
                   archive, cols, cols)
        USING job::BIGINT;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

-- Every table a removal archives: the organizations and what is inside them.
DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['organizations', 'configurations', 'contacts', 'locations', 'passwords', 'documents'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS gone
                        FOR EACH STATEMENT EXECUTE FUNCTION archive_deleted()', t || '_archive', t);
    END LOOP;
END $$;
