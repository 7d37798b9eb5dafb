-- View sorted by last synced (issue 14): the planner walks this index in order (the key, then
-- the id) for a row that holds most of a kind's items, instead of sorting the whole row
-- (server/src/repo/preview.rs, `page_by_synced`). Never synced sorts first, as '' did.
CREATE INDEX organizations_by_synced ON organizations(account_id, integration_id, (COALESCE(last_synced_at, '-infinity'::timestamptz)), id);
CREATE INDEX configurations_by_synced ON configurations(account_id, integration_id, (COALESCE(last_synced_at, '-infinity'::timestamptz)), id);
CREATE INDEX contacts_by_synced ON contacts(account_id, integration_id, (COALESCE(last_synced_at, '-infinity'::timestamptz)), id);
CREATE INDEX locations_by_synced ON locations(account_id, integration_id, (COALESCE(last_synced_at, '-infinity'::timestamptz)), id);
