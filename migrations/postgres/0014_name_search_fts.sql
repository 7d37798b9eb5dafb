-- SQLite gains an FTS5 trigram table per kind here (../sqlite/0014_name_search_fts.sql); PostgreSQL
-- has had its trigram indexes since 0011.
SELECT 1;
