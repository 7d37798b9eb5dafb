-- View sorted by type, status, sync state or orphan reason (issue 14) reads each sort key's
-- items in id order from these indexes (server/src/repo/preview.rs, `Group`: one index range
-- per kept-count cell) instead of sorting the whole row. The type and status indexes ended in
-- sync_state for the Manage Data counts, which the kept counts (0010) now answer.
DROP INDEX organizations_by_type;
CREATE INDEX organizations_by_type ON organizations(account_id, integration_id, organization_type_id, id);
DROP INDEX organizations_by_status;
CREATE INDEX organizations_by_status ON organizations(account_id, integration_id, organization_status_id, id);
DROP INDEX organizations_orphans;
CREATE INDEX organizations_orphans ON organizations(account_id, integration_id, sync_state, orphan_reason, id);
DROP INDEX configurations_by_type;
CREATE INDEX configurations_by_type ON configurations(account_id, integration_id, configuration_type_id, id);
DROP INDEX configurations_by_status;
CREATE INDEX configurations_by_status ON configurations(account_id, integration_id, configuration_status_id, id);
DROP INDEX configurations_orphans;
CREATE INDEX configurations_orphans ON configurations(account_id, integration_id, sync_state, orphan_reason, id);
DROP INDEX contacts_by_type;
CREATE INDEX contacts_by_type ON contacts(account_id, integration_id, contact_type_id, id);
DROP INDEX contacts_orphans;
CREATE INDEX contacts_orphans ON contacts(account_id, integration_id, sync_state, orphan_reason, id);
DROP INDEX locations_orphans;
CREATE INDEX locations_orphans ON locations(account_id, integration_id, sync_state, orphan_reason, id);
