-- Free-text search of the lists (issue 14): a trigram index (pg_trgm, a trusted extension
-- that ships with PostgreSQL) on every item's lower-cased name, which `LOWER(name) LIKE
-- '%text%'` uses for three characters or more. Keep in step with
-- ../sqlite/0011_name_search.sql (FTS5).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX organizations_name_trgm ON organizations USING gin (LOWER(name) gin_trgm_ops);
CREATE INDEX configurations_name_trgm ON configurations USING gin (LOWER(name) gin_trgm_ops);
CREATE INDEX contacts_name_trgm ON contacts USING gin (LOWER(first_name || ' ' || last_name) gin_trgm_ops);
CREATE INDEX locations_name_trgm ON locations USING gin (LOWER(name) gin_trgm_ops);
