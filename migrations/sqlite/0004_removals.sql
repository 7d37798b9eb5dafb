-- Queued removals. Keep in step with ../postgres/0004_removals.sql.

-- The frozen list of a removal job's targets, in the order the job walks them. The job's
-- progress_done counts the targets behind it; each chunk commits its deletes, its archive rows,
-- these outcomes and the progress together.
CREATE TABLE removal_targets (
    job_id   INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    item_id  INTEGER NOT NULL,
    -- NULL until reached; then deleted, or skipped (it no longer qualified).
    outcome  TEXT CHECK (outcome IN ('deleted', 'skipped')),
    PRIMARY KEY (job_id, seq)
);

-- Everything a hard delete removed, as JSON, written in the delete's transaction.
CREATE TABLE deletion_archive (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    item_kind   TEXT NOT NULL,
    item_id     INTEGER NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX deletion_archive_job ON deletion_archive(job_id, id);
