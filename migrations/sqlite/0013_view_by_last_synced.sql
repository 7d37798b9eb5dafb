-- View sorted by last synced (issue 14) walks this index in order (the key, then the id) instead
-- of sorting the whole row: server/src/repo/preview.rs, `page_by_synced`. The key is the
-- expression the View sorts by; the columns after the id are the ones a row's filter tests, so
-- an item outside the row is passed over in the index without reading the table.
CREATE INDEX organizations_by_synced ON organizations(account_id, integration_id, COALESCE(last_synced_at, ''), id, organization_type_id, organization_status_id, sync_state);
CREATE INDEX configurations_by_synced ON configurations(account_id, integration_id, COALESCE(last_synced_at, ''), id, configuration_type_id, configuration_status_id, sync_state);
CREATE INDEX contacts_by_synced ON contacts(account_id, integration_id, COALESCE(last_synced_at, ''), id, contact_type_id, sync_state);
CREATE INDEX locations_by_synced ON locations(account_id, integration_id, COALESCE(last_synced_at, ''), id, sync_state);
