-- Kept counts (issue 14): the Manage Data summary, View's totals and the lists' counts read a
-- few hundred rows of `item_counts` instead of counting a million items. Triggers keep them in
-- the same transaction as every change of an item or tombstone, by any path (sync, the edit
-- pencil, pause, disconnect, removals and their cascades, reconnect, restore, import, a catalog
-- value's ON DELETE SET NULL). One count per account, integration (0: stand-alone), kind, type,
-- status (0: none), sync state ('': stand-alone), orphan reason ('': none) and, for
-- configurations, active; Disconnected Data's tombstones count by kind with sync_state
-- 'disconnected'. Statement-level triggers append one delta row per key a
-- statement changed: deltas are only ever inserted, so concurrent writers never wait on a count
-- row nor deadlock on one; the reader sums them, and folds an account's deltas into one row per
-- key when they pile up (one statement that deletes what it read and inserts its sums: see
-- `Repo::compact_counts`). Keep in step with ../sqlite/0010_kept_counts.sql.
CREATE TABLE item_counts (
    account_id      BIGINT NOT NULL,
    integration_id  BIGINT NOT NULL,
    item_kind       TEXT NOT NULL,
    type_id         BIGINT NOT NULL,
    status_id       BIGINT NOT NULL,
    sync_state      TEXT NOT NULL,
    orphan_reason   TEXT NOT NULL,
    active          BOOLEAN NOT NULL,
    n               BIGINT NOT NULL
);
CREATE INDEX item_counts_account ON item_counts(account_id, integration_id);

INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
SELECT account_id, COALESCE(integration_id, 0), 'organization', COALESCE(organization_type_id, 0), COALESCE(organization_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), TRUE, COUNT(*)
FROM organizations GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(organization_type_id, 0), COALESCE(organization_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');

CREATE FUNCTION organizations_counted_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT account_id, COALESCE(integration_id, 0), 'organization', COALESCE(organization_type_id, 0), COALESCE(organization_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), TRUE, COUNT(*) FROM new_rows GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(organization_type_id, 0), COALESCE(organization_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER organizations_counted_insert AFTER INSERT ON organizations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION organizations_counted_insert();

CREATE FUNCTION organizations_counted_delete() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT account_id, COALESCE(integration_id, 0), 'organization', COALESCE(organization_type_id, 0), COALESCE(organization_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), TRUE, -COUNT(*) FROM old_rows GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(organization_type_id, 0), COALESCE(organization_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER organizations_counted_delete AFTER DELETE ON organizations REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION organizations_counted_delete();

CREATE FUNCTION organizations_counted_update() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT a, i, 'organization', t, s, st, r, ac, SUM(d) FROM (
        SELECT account_id AS a, COALESCE(integration_id, 0) AS i, COALESCE(organization_type_id, 0) AS t, COALESCE(organization_status_id, 0) AS s, COALESCE(sync_state, '') AS st, COALESCE(orphan_reason, '') AS r, TRUE AS ac, 1 AS d FROM new_rows
        UNION ALL
        SELECT account_id AS a, COALESCE(integration_id, 0) AS i, COALESCE(organization_type_id, 0) AS t, COALESCE(organization_status_id, 0) AS s, COALESCE(sync_state, '') AS st, COALESCE(orphan_reason, '') AS r, TRUE AS ac, -1 FROM old_rows
    ) changed GROUP BY a, i, t, s, st, r, ac HAVING SUM(d) <> 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER organizations_counted_update AFTER UPDATE ON organizations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION organizations_counted_update();

INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
SELECT account_id, COALESCE(integration_id, 0), 'configuration', COALESCE(configuration_type_id, 0), COALESCE(configuration_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), active, COUNT(*)
FROM configurations GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(configuration_type_id, 0), COALESCE(configuration_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), active;

CREATE FUNCTION configurations_counted_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT account_id, COALESCE(integration_id, 0), 'configuration', COALESCE(configuration_type_id, 0), COALESCE(configuration_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), active, COUNT(*) FROM new_rows GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(configuration_type_id, 0), COALESCE(configuration_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), active;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER configurations_counted_insert AFTER INSERT ON configurations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION configurations_counted_insert();

CREATE FUNCTION configurations_counted_delete() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT account_id, COALESCE(integration_id, 0), 'configuration', COALESCE(configuration_type_id, 0), COALESCE(configuration_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), active, -COUNT(*) FROM old_rows GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(configuration_type_id, 0), COALESCE(configuration_status_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), active;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER configurations_counted_delete AFTER DELETE ON configurations REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION configurations_counted_delete();

CREATE FUNCTION configurations_counted_update() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT a, i, 'configuration', t, s, st, r, ac, SUM(d) FROM (
        SELECT account_id AS a, COALESCE(integration_id, 0) AS i, COALESCE(configuration_type_id, 0) AS t, COALESCE(configuration_status_id, 0) AS s, COALESCE(sync_state, '') AS st, COALESCE(orphan_reason, '') AS r, active AS ac, 1 AS d FROM new_rows
        UNION ALL
        SELECT account_id AS a, COALESCE(integration_id, 0) AS i, COALESCE(configuration_type_id, 0) AS t, COALESCE(configuration_status_id, 0) AS s, COALESCE(sync_state, '') AS st, COALESCE(orphan_reason, '') AS r, active AS ac, -1 FROM old_rows
    ) changed GROUP BY a, i, t, s, st, r, ac HAVING SUM(d) <> 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER configurations_counted_update AFTER UPDATE ON configurations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION configurations_counted_update();

INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
SELECT account_id, COALESCE(integration_id, 0), 'contact', COALESCE(contact_type_id, 0), 0, COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), TRUE, COUNT(*)
FROM contacts GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(contact_type_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');

CREATE FUNCTION contacts_counted_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT account_id, COALESCE(integration_id, 0), 'contact', COALESCE(contact_type_id, 0), 0, COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), TRUE, COUNT(*) FROM new_rows GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(contact_type_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER contacts_counted_insert AFTER INSERT ON contacts REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_counted_insert();

CREATE FUNCTION contacts_counted_delete() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT account_id, COALESCE(integration_id, 0), 'contact', COALESCE(contact_type_id, 0), 0, COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), TRUE, -COUNT(*) FROM old_rows GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(contact_type_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER contacts_counted_delete AFTER DELETE ON contacts REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_counted_delete();

CREATE FUNCTION contacts_counted_update() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT a, i, 'contact', t, s, st, r, ac, SUM(d) FROM (
        SELECT account_id AS a, COALESCE(integration_id, 0) AS i, COALESCE(contact_type_id, 0) AS t, 0 AS s, COALESCE(sync_state, '') AS st, COALESCE(orphan_reason, '') AS r, TRUE AS ac, 1 AS d FROM new_rows
        UNION ALL
        SELECT account_id AS a, COALESCE(integration_id, 0) AS i, COALESCE(contact_type_id, 0) AS t, 0 AS s, COALESCE(sync_state, '') AS st, COALESCE(orphan_reason, '') AS r, TRUE AS ac, -1 FROM old_rows
    ) changed GROUP BY a, i, t, s, st, r, ac HAVING SUM(d) <> 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER contacts_counted_update AFTER UPDATE ON contacts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_counted_update();

INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
SELECT account_id, COALESCE(integration_id, 0), 'location', 0, 0, COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), TRUE, COUNT(*)
FROM locations GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');

CREATE FUNCTION locations_counted_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT account_id, COALESCE(integration_id, 0), 'location', 0, 0, COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), TRUE, COUNT(*) FROM new_rows GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER locations_counted_insert AFTER INSERT ON locations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION locations_counted_insert();

CREATE FUNCTION locations_counted_delete() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT account_id, COALESCE(integration_id, 0), 'location', 0, 0, COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), TRUE, -COUNT(*) FROM old_rows GROUP BY account_id, COALESCE(integration_id, 0), COALESCE(sync_state, ''), COALESCE(orphan_reason, '');
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER locations_counted_delete AFTER DELETE ON locations REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION locations_counted_delete();

CREATE FUNCTION locations_counted_update() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT a, i, 'location', t, s, st, r, ac, SUM(d) FROM (
        SELECT account_id AS a, COALESCE(integration_id, 0) AS i, 0 AS t, 0 AS s, COALESCE(sync_state, '') AS st, COALESCE(orphan_reason, '') AS r, TRUE AS ac, 1 AS d FROM new_rows
        UNION ALL
        SELECT account_id AS a, COALESCE(integration_id, 0) AS i, 0 AS t, 0 AS s, COALESCE(sync_state, '') AS st, COALESCE(orphan_reason, '') AS r, TRUE AS ac, -1 FROM old_rows
    ) changed GROUP BY a, i, t, s, st, r, ac HAVING SUM(d) <> 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER locations_counted_update AFTER UPDATE ON locations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION locations_counted_update();

INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
SELECT account_id, integration_id, item_kind, 0, 0, 'disconnected', '', TRUE, COUNT(*)
FROM disconnected_items GROUP BY account_id, integration_id, item_kind;

CREATE FUNCTION disconnected_items_counted_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT account_id, integration_id, item_kind, 0, 0, 'disconnected', '', TRUE, COUNT(*)
    FROM new_rows GROUP BY account_id, integration_id, item_kind;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER disconnected_items_counted_insert AFTER INSERT ON disconnected_items REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION disconnected_items_counted_insert();

CREATE FUNCTION disconnected_items_counted_delete() RETURNS trigger AS $$
BEGIN
    INSERT INTO item_counts (account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active, n)
    SELECT account_id, integration_id, item_kind, 0, 0, 'disconnected', '', TRUE, -COUNT(*)
    FROM old_rows GROUP BY account_id, integration_id, item_kind;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER disconnected_items_counted_delete AFTER DELETE ON disconnected_items REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION disconnected_items_counted_delete();

-- Tombstones' kind, account and integration never change (an update marks one deleted locally),
-- so no update trigger: checked by the kept-counts test after every kind of change.
