-- Account exports: the ZIP an export job wrote, in chunks of about 1 MiB, kept with the job so
-- that any node can serve the download. Keep in step with ../sqlite/.
CREATE TABLE export_chunks (
    job_id  BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq     BIGINT NOT NULL,
    data    BYTEA NOT NULL,
    PRIMARY KEY (job_id, seq)
);
