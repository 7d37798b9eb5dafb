-- View sorted by type, status, sync state or orphan reason (issue 14) reads each sort key's
-- items in id order through one index range per kept-count cell (server/src/repo/preview.rs,
-- `Group`). SQLite's `*_by_type`, `*_by_status` and `*_orphans` serve that already: an index
-- ends in the rowid, which is the id. PostgreSQL's gain the id here (../postgres/0012).
SELECT 1;
