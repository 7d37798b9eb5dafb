-- A removal archives every record it deletes, and each archived row checked its account and its
-- job through a foreign key, per record (issue 14). Only a removal chunk writes the archive, in
-- the transaction that holds its job's row (the claim), so both always exist; nothing deletes a
-- job or an account (the archive is purged by age, `Repo::purge_deletion_archives`). SQLite
-- cannot drop a foreign key: the table is made again without them, rows and ids kept. Keep in
-- step with ../postgres/0016_archive_without_foreign_keys.sql.
CREATE TABLE deletion_archive_new (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL,
    job_id           INTEGER NOT NULL,
    item_kind        TEXT NOT NULL,
    item_id          INTEGER NOT NULL,
    payload          TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    organization_id  INTEGER,
    restored_by      INTEGER
);
INSERT INTO deletion_archive_new (id, account_id, job_id, item_kind, item_id, payload, created_at, organization_id, restored_by)
    SELECT id, account_id, job_id, item_kind, item_id, payload, created_at, organization_id, restored_by FROM deletion_archive;
DROP TABLE deletion_archive;
ALTER TABLE deletion_archive_new RENAME TO deletion_archive;
CREATE INDEX deletion_archive_job ON deletion_archive(job_id, id);
CREATE INDEX deletion_archive_organization ON deletion_archive(job_id, organization_id);
CREATE INDEX deletion_archive_restored ON deletion_archive(restored_by) WHERE restored_by IS NOT NULL;
