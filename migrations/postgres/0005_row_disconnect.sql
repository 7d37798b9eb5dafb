-- "Permanently disconnect records … but keep all data" on a Synced Items row: the type or
-- status is marked, so that checking it again later makes the next sync match the stand-alone
-- items (first-sync rules) instead of creating duplicates. Keep in step with ../sqlite/.
ALTER TABLE psa_catalog_values ADD COLUMN disconnected_at TIMESTAMPTZ;
