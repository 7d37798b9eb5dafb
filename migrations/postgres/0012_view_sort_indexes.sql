-- View sorted by type, status, sync state or orphan reason (issue 14) reads each sort key's
-- items in id order through one index range per kept-count cell (server/src/repo/preview.rs,
-- `Group`) instead of sorting the whole row. PostgreSQL's indexes order equal keys by their
-- place in the table, not by id, so these gain the id (SQLite's end in the rowid already:
-- ../sqlite/0012). The type and status indexes keep the sync state, which a restricted user's
-- Manage Data counts group by.
DROP INDEX organizations_by_type;
CREATE INDEX organizations_by_type ON organizations(account_id, integration_id, organization_type_id, sync_state, id);
DROP INDEX organizations_by_status;
CREATE INDEX organizations_by_status ON organizations(account_id, integration_id, organization_status_id, sync_state, id);
DROP INDEX organizations_orphans;
CREATE INDEX organizations_orphans ON organizations(account_id, integration_id, sync_state, orphan_reason, id);
DROP INDEX configurations_by_type;
CREATE INDEX configurations_by_type ON configurations(account_id, integration_id, configuration_type_id, sync_state, id);
DROP INDEX configurations_by_status;
CREATE INDEX configurations_by_status ON configurations(account_id, integration_id, configuration_status_id, sync_state, id);
DROP INDEX configurations_orphans;
CREATE INDEX configurations_orphans ON configurations(account_id, integration_id, sync_state, orphan_reason, id);
DROP INDEX contacts_by_type;
CREATE INDEX contacts_by_type ON contacts(account_id, integration_id, contact_type_id, sync_state, id);
DROP INDEX contacts_orphans;
CREATE INDEX contacts_orphans ON contacts(account_id, integration_id, sync_state, orphan_reason, id);
DROP INDEX locations_orphans;
CREATE INDEX locations_orphans ON locations(account_id, integration_id, sync_state, orphan_reason, id);
