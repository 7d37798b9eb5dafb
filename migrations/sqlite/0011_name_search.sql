-- Free-text search of the lists (issue 14). PostgreSQL gains a trigram index here
-- (../postgres/0011_name_search.sql); SQLite keeps scanning names for now. An FTS5 trigram table
-- kept by triggers was tried and measured (a search of three characters or more answered in
-- under 10 ms at XL instead of 270 ms), but with it a write transaction that begins with a read
-- (sqlx's deferred BEGIN: FTS5 reads its own tables when a connection first touches it) failed
-- with SQLITE_BUSY_SNAPSHOT beside another writer, and an insert beside a load failed with "no
-- such table". It comes back once every SQLite write transaction begins IMMEDIATE.
SELECT 1;
