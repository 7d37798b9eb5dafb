-- Account exports: the ZIP an export job wrote, in chunks of about 1 MiB, kept with the job so
-- that any node can serve the download. Keep in step with ../postgres/.
CREATE TABLE export_chunks (
    job_id  INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (job_id, seq)
);
