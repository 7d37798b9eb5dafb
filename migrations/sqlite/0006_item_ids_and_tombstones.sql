-- Every delete of an item, by any path (a removal, a cascade from its organization), marks its
-- Disconnected Data tombstone as deleted locally, so the next sync does not bring it back (sync
-- rule 5). (Item ids are never reused: `Db::migrate` rebuilds the SQLite item tables with
-- AUTOINCREMENT after the migrations, which cannot switch foreign keys off.)
-- Keep in step with ../postgres/0006_item_ids_and_tombstones.sql.

-- Finds the tombstone of a deleted item at once, however many items one statement deletes.
CREATE INDEX disconnected_items_item ON disconnected_items(item_kind, item_id) WHERE item_id IS NOT NULL;

CREATE TRIGGER organizations_tombstone AFTER DELETE ON organizations BEGIN
    UPDATE disconnected_items SET item_id = NULL,
        deleted_locally_at = COALESCE(deleted_locally_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    WHERE item_kind = 'organization' AND item_id = OLD.id;
END;

CREATE TRIGGER configurations_tombstone AFTER DELETE ON configurations BEGIN
    UPDATE disconnected_items SET item_id = NULL,
        deleted_locally_at = COALESCE(deleted_locally_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    WHERE item_kind = 'configuration' AND item_id = OLD.id;
END;

CREATE TRIGGER contacts_tombstone AFTER DELETE ON contacts BEGIN
    UPDATE disconnected_items SET item_id = NULL,
        deleted_locally_at = COALESCE(deleted_locally_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    WHERE item_kind = 'contact' AND item_id = OLD.id;
END;

CREATE TRIGGER locations_tombstone AFTER DELETE ON locations BEGIN
    UPDATE disconnected_items SET item_id = NULL,
        deleted_locally_at = COALESCE(deleted_locally_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    WHERE item_kind = 'location' AND item_id = OLD.id;
END;
