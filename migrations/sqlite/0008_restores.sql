-- Undo a removal: a restore job brings archived records back. Keep in step with ../postgres/.

-- The organization each archived record was in (an organization's own id for itself), so that
-- a restore finds everything under an organization at once; and the restore job that brought
-- the record back (a record comes back once).
ALTER TABLE deletion_archive ADD COLUMN organization_id INTEGER;
ALTER TABLE deletion_archive ADD COLUMN restored_by INTEGER;
UPDATE deletion_archive SET organization_id = CASE
    WHEN item_kind = 'organization' THEN item_id
    ELSE json_extract(payload, '$.organization_id') END;
CREATE INDEX deletion_archive_organization ON deletion_archive(job_id, organization_id);
CREATE INDEX deletion_archive_restored ON deletion_archive(restored_by) WHERE restored_by IS NOT NULL;

-- A restore's frozen targets (the removal's archived records of the removed kind), in the order
-- the job walks them, each with its outcome once reached.
CREATE TABLE restore_targets (
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    archive_id  INTEGER NOT NULL,
    outcome     TEXT CHECK (outcome IN ('restored', 'not_restored')),
    PRIMARY KEY (job_id, seq)
);

-- What a restore could not bring back, and why (an organization whose name exists again, a PSA
-- record linked to another item now): listed, never overwritten.
CREATE TABLE restore_notes (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    item_kind  TEXT NOT NULL,
    name       TEXT NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX restore_notes_job ON restore_notes(job_id, id);
