-- A removal archives every record it deletes, and each archived row checked its account and its
-- job through a foreign key: two lookups and row locks per record, about a third of the time
-- archiving took (75,000 configurations: 1.28 s with them, 0.79 s without; issue 14). Only a
-- removal chunk writes the archive, in the transaction that holds its job's row (the claim), so
-- both always exist; nothing deletes a job or an account (the archive is purged by age,
-- `Repo::purge_deletion_archives`). Keep in step with ../sqlite/0016_archive_without_foreign_keys.sql.
ALTER TABLE deletion_archive DROP CONSTRAINT deletion_archive_account_id_fkey;
ALTER TABLE deletion_archive DROP CONSTRAINT deletion_archive_job_id_fkey;
