-- Every delete of an item, by any path (a removal, a cascade from its organization), marks its
-- Disconnected Data tombstone as deleted locally, so the next sync does not bring it back (sync
-- rule 5). Identity columns never reuse an id already. Keep in step with
-- ../sqlite/0006_item_ids_and_tombstones.sql.
CREATE INDEX disconnected_items_item ON disconnected_items(item_kind, item_id) WHERE item_id IS NOT NULL;

CREATE FUNCTION organizations_tombstone() RETURNS trigger AS $$
BEGIN
    UPDATE disconnected_items d SET item_id = NULL, deleted_locally_at = COALESCE(d.deleted_locally_at, now())
    FROM gone g WHERE d.item_kind = 'organization' AND d.item_id = g.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER organizations_tombstone AFTER DELETE ON organizations REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION organizations_tombstone();

CREATE FUNCTION configurations_tombstone() RETURNS trigger AS $$
BEGIN
    UPDATE disconnected_items d SET item_id = NULL, deleted_locally_at = COALESCE(d.deleted_locally_at, now())
    FROM gone g WHERE d.item_kind = 'configuration' AND d.item_id = g.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER configurations_tombstone AFTER DELETE ON configurations REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION configurations_tombstone();

CREATE FUNCTION contacts_tombstone() RETURNS trigger AS $$
BEGIN
    UPDATE disconnected_items d SET item_id = NULL, deleted_locally_at = COALESCE(d.deleted_locally_at, now())
    FROM gone g WHERE d.item_kind = 'contact' AND d.item_id = g.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER contacts_tombstone AFTER DELETE ON contacts REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_tombstone();

CREATE FUNCTION locations_tombstone() RETURNS trigger AS $$
BEGIN
    UPDATE disconnected_items d SET item_id = NULL, deleted_locally_at = COALESCE(d.deleted_locally_at, now())
    FROM gone g WHERE d.item_kind = 'location' AND d.item_id = g.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER locations_tombstone AFTER DELETE ON locations REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION locations_tombstone();
