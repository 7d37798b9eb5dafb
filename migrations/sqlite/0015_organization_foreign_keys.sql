-- Deleting an organization makes the database find what refers to it: its children (indexed
-- since 0001), the disconnected items that name it (ON DELETE SET NULL) and the users given
-- access to it (ON DELETE CASCADE). Those two had no index led by the organization, so every
-- organization deleted read the account's whole disconnected-items list (about 12,000 rows at
-- XL, some 2 ms each time): about a third of an XL removal (issue 14). Keep in step with
-- ../postgres/0015_organization_foreign_keys.sql.
CREATE INDEX disconnected_items_organization ON disconnected_items(organization_id) WHERE organization_id IS NOT NULL;
CREATE INDEX user_organization_access_organization ON user_organization_access(organization_id);
