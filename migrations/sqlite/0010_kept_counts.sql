-- Kept counts (issue 14): the Manage Data summary, View's totals and the lists' counts read a
-- few hundred rows of `item_counts` instead of counting a million items. Triggers keep them in
-- the same transaction as every change of an item or tombstone, by any path (sync, the edit
-- pencil, pause, disconnect, removals and their cascades, reconnect, restore, import, a catalog
-- value's ON DELETE SET NULL). One count per account, integration (0: stand-alone), kind, type,
-- status (0: none), sync state ('': stand-alone), orphan reason ('': none) and, for
-- configurations, active; Disconnected Data's tombstones count by kind with sync_state
-- 'disconnected'. Keep in step with ../postgres/0010_kept_counts.sql, where the same
-- table holds deltas summed on read instead (no row a writer must lock).
CREATE TABLE item_counts (
    account_id      INTEGER NOT NULL,
    integration_id  INTEGER NOT NULL,
    item_kind       TEXT NOT NULL,
    type_id         INTEGER NOT NULL,
    status_id       INTEGER NOT NULL,
    sync_state      TEXT NOT NULL,
    orphan_reason   TEXT NOT NULL,
    active          BOOLEAN NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active)
) WITHOUT ROWID;

INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
SELECT account_id, COALESCE(integration_id, 0), 'organization', COALESCE(organization_type_id, 0), COALESCE(organization_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), 1, COUNT(*)
FROM organizations GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(organization_type_id, 0), COALESCE(organization_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');

CREATE TRIGGER organizations_counted_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    VALUES (NEW.account_id, COALESCE(NEW.integration_id, 0), 'organization', COALESCE(NEW.organization_type_id, 0), COALESCE(NEW.organization_status_id, 0), COALESCE(NEW.sync_state, ''), COALESCE(NEW.orphan_reason, ''), 1, 1)
    ON CONFLICT (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER organizations_counted_delete AFTER DELETE ON organizations BEGIN
    UPDATE item_counts SET n = n - 1
    WHERE item_kind = 'organization' AND account_id = OLD.account_id AND integration_id = COALESCE(OLD.integration_id, 0) AND type_id = COALESCE(OLD.organization_type_id, 0) AND status_id = COALESCE(OLD.organization_status_id, 0) AND sync_state = COALESCE(OLD.sync_state, '') AND orphan_reason = COALESCE(OLD.orphan_reason, '') AND active = 1;
END;
CREATE TRIGGER organizations_counted_update AFTER UPDATE OF account_id, integration_id, organization_type_id, organization_status_id, sync_state, orphan_reason ON organizations
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.integration_id IS NOT NEW.integration_id OR OLD.organization_type_id IS NOT NEW.organization_type_id OR OLD.organization_status_id IS NOT NEW.organization_status_id OR OLD.sync_state IS NOT NEW.sync_state OR OLD.orphan_reason IS NOT NEW.orphan_reason BEGIN
    UPDATE item_counts SET n = n - 1
    WHERE item_kind = 'organization' AND account_id = OLD.account_id AND integration_id = COALESCE(OLD.integration_id, 0) AND type_id = COALESCE(OLD.organization_type_id, 0) AND status_id = COALESCE(OLD.organization_status_id, 0) AND sync_state = COALESCE(OLD.sync_state, '') AND orphan_reason = COALESCE(OLD.orphan_reason, '') AND active = 1;
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    VALUES (NEW.account_id, COALESCE(NEW.integration_id, 0), 'organization', COALESCE(NEW.organization_type_id, 0), COALESCE(NEW.organization_status_id, 0), COALESCE(NEW.sync_state, ''), COALESCE(NEW.orphan_reason, ''), 1, 1)
    ON CONFLICT (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active) DO UPDATE SET n = n + 1;
END;

INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
SELECT account_id, COALESCE(integration_id, 0), 'configuration', COALESCE(configuration_type_id, 0), COALESCE(configuration_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), active, COUNT(*)
FROM configurations GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(configuration_type_id, 0), COALESCE(configuration_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), active;

CREATE TRIGGER configurations_counted_insert AFTER INSERT ON configurations BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    VALUES (NEW.account_id, COALESCE(NEW.integration_id, 0), 'configuration', COALESCE(NEW.configuration_type_id, 0), COALESCE(NEW.configuration_status_id, 0), COALESCE(NEW.sync_state, ''), COALESCE(NEW.orphan_reason, ''), NEW.active, 1)
    ON CONFLICT (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER configurations_counted_delete AFTER DELETE ON configurations BEGIN
    UPDATE item_counts SET n = n - 1
    WHERE item_kind = 'configuration' AND account_id = OLD.account_id AND integration_id = COALESCE(OLD.integration_id, 0) AND type_id = COALESCE(OLD.configuration_type_id, 0) AND status_id = COALESCE(OLD.configuration_status_id, 0) AND sync_state = COALESCE(OLD.sync_state, '') AND orphan_reason = COALESCE(OLD.orphan_reason, '') AND active = OLD.active;
END;
CREATE TRIGGER configurations_counted_update AFTER UPDATE OF account_id, integration_id, configuration_type_id, configuration_status_id, sync_state, orphan_reason, active ON configurations
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.integration_id IS NOT NEW.integration_id OR OLD.configuration_type_id IS NOT NEW.configuration_type_id OR OLD.configuration_status_id IS NOT NEW.configuration_status_id OR OLD.sync_state IS NOT NEW.sync_state OR OLD.orphan_reason IS NOT NEW.orphan_reason OR OLD.active IS NOT NEW.active BEGIN
    UPDATE item_counts SET n = n - 1
    WHERE item_kind = 'configuration' AND account_id = OLD.account_id AND integration_id = COALESCE(OLD.integration_id, 0) AND type_id = COALESCE(OLD.configuration_type_id, 0) AND status_id = COALESCE(OLD.configuration_status_id, 0) AND sync_state = COALESCE(OLD.sync_state, '') AND orphan_reason = COALESCE(OLD.orphan_reason, '') AND active = OLD.active;
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    VALUES (NEW.account_id, COALESCE(NEW.integration_id, 0), 'configuration', COALESCE(NEW.configuration_type_id, 0), COALESCE(NEW.configuration_status_id, 0), COALESCE(NEW.sync_state, ''), COALESCE(NEW.orphan_reason, ''), NEW.active, 1)
    ON CONFLICT (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active) DO UPDATE SET n = n + 1;
END;

INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
SELECT account_id, COALESCE(integration_id, 0), 'contact', COALESCE(contact_type_id, 0), 0, COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), 1, COUNT(*)
FROM contacts GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(contact_type_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');

CREATE TRIGGER contacts_counted_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    VALUES (NEW.account_id, COALESCE(NEW.integration_id, 0), 'contact', COALESCE(NEW.contact_type_id, 0), 0, COALESCE(NEW.sync_state, ''), COALESCE(NEW.orphan_reason, ''), 1, 1)
    ON CONFLICT (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER contacts_counted_delete AFTER DELETE ON contacts BEGIN
    UPDATE item_counts SET n = n - 1
    WHERE item_kind = 'contact' AND account_id = OLD.account_id AND integration_id = COALESCE(OLD.integration_id, 0) AND type_id = COALESCE(OLD.contact_type_id, 0) AND status_id = 0 AND sync_state = COALESCE(OLD.sync_state, '') AND orphan_reason = COALESCE(OLD.orphan_reason, '') AND active = 1;
END;
CREATE TRIGGER contacts_counted_update AFTER UPDATE OF account_id, integration_id, contact_type_id, sync_state, orphan_reason ON contacts
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.integration_id IS NOT NEW.integration_id OR OLD.contact_type_id IS NOT NEW.contact_type_id OR OLD.sync_state IS NOT NEW.sync_state OR OLD.orphan_reason IS NOT NEW.orphan_reason BEGIN
    UPDATE item_counts SET n = n - 1
    WHERE item_kind = 'contact' AND account_id = OLD.account_id AND integration_id = COALESCE(OLD.integration_id, 0) AND type_id = COALESCE(OLD.contact_type_id, 0) AND status_id = 0 AND sync_state = COALESCE(OLD.sync_state, '') AND orphan_reason = COALESCE(OLD.orphan_reason, '') AND active = 1;
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    VALUES (NEW.account_id, COALESCE(NEW.integration_id, 0), 'contact', COALESCE(NEW.contact_type_id, 0), 0, COALESCE(NEW.sync_state, ''), COALESCE(NEW.orphan_reason, ''), 1, 1)
    ON CONFLICT (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active) DO UPDATE SET n = n + 1;
END;

INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
SELECT account_id, COALESCE(integration_id, 0), 'location', 0, 0, COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), 1, COUNT(*)
FROM locations GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');

CREATE TRIGGER locations_counted_insert AFTER INSERT ON locations BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    VALUES (NEW.account_id, COALESCE(NEW.integration_id, 0), 'location', 0, 0, COALESCE(NEW.sync_state, ''), COALESCE(NEW.orphan_reason, ''), 1, 1)
    ON CONFLICT (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER locations_counted_delete AFTER DELETE ON locations BEGIN
    UPDATE item_counts SET n = n - 1
    WHERE item_kind = 'location' AND account_id = OLD.account_id AND integration_id = COALESCE(OLD.integration_id, 0) AND type_id = 0 AND status_id = 0 AND sync_state = COALESCE(OLD.sync_state, '') AND orphan_reason = COALESCE(OLD.orphan_reason, '') AND active = 1;
END;
CREATE TRIGGER locations_counted_update AFTER UPDATE OF account_id, integration_id, sync_state, orphan_reason ON locations
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.integration_id IS NOT NEW.integration_id OR OLD.sync_state IS NOT NEW.sync_state OR OLD.orphan_reason IS NOT NEW.orphan_reason BEGIN
    UPDATE item_counts SET n = n - 1
    WHERE item_kind = 'location' AND account_id = OLD.account_id AND integration_id = COALESCE(OLD.integration_id, 0) AND type_id = 0 AND status_id = 0 AND sync_state = COALESCE(OLD.sync_state, '') AND orphan_reason = COALESCE(OLD.orphan_reason, '') AND active = 1;
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    VALUES (NEW.account_id, COALESCE(NEW.integration_id, 0), 'location', 0, 0, COALESCE(NEW.sync_state, ''), COALESCE(NEW.orphan_reason, ''), 1, 1)
    ON CONFLICT (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active) DO UPDATE SET n = n + 1;
END;

INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
SELECT account_id, integration_id, item_kind, 0, 0, 'disconnected', '', 1, COUNT(*)
FROM disconnected_items GROUP BY account_id, integration_id, item_kind;

CREATE TRIGGER disconnected_items_counted_insert AFTER INSERT ON disconnected_items BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    VALUES (NEW.account_id, NEW.integration_id, NEW.item_kind, 0, 0, 'disconnected', '', 1, 1)
    ON CONFLICT (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER disconnected_items_counted_delete AFTER DELETE ON disconnected_items BEGIN
    UPDATE item_counts SET n = n - 1
    WHERE account_id = OLD.account_id AND integration_id = OLD.integration_id AND item_kind = OLD.item_kind
      AND type_id = 0 AND status_id = 0 AND sync_state = 'disconnected' AND orphan_reason = '' AND active = 1;
END;
-- Tombstones' kind, account and integration never change (an update marks one deleted locally),
-- so no update trigger: checked by the kept-counts test after every kind of change.
