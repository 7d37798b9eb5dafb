-- Free-text search of the lists on SQLite (issue 14): an FTS5 trigram table per kind holds each
-- item's name (a contact's first and last name, as the lists show it), kept by triggers in the
-- transaction of every change. A search of three characters or more narrows the items to those
-- holding each of its trigrams before the same LIKE as before decides (server/src/repo/items.rs,
-- `search_condition`), so what matches is unchanged. Contentless (the names stay in their own
-- tables), with rows that can be deleted (SQLite 3.43 and later), and without positions
-- (`detail='none'`: a smaller index, cheaper to write and delete; the LIKE checks the order).
CREATE VIRTUAL TABLE organizations_name_fts USING fts5(name, content='', contentless_delete=1, tokenize='trigram', detail='none');
INSERT INTO organizations_name_fts(rowid, name) SELECT id, name FROM organizations;
CREATE TRIGGER organizations_name_fts_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO organizations_name_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER organizations_name_fts_delete AFTER DELETE ON organizations BEGIN
    DELETE FROM organizations_name_fts WHERE rowid = old.id;
END;
CREATE TRIGGER organizations_name_fts_update AFTER UPDATE OF name ON organizations BEGIN
    DELETE FROM organizations_name_fts WHERE rowid = old.id;
    INSERT INTO organizations_name_fts(rowid, name) VALUES (new.id, new.name);
END;

CREATE VIRTUAL TABLE configurations_name_fts USING fts5(name, content='', contentless_delete=1, tokenize='trigram', detail='none');
INSERT INTO configurations_name_fts(rowid, name) SELECT id, name FROM configurations;
CREATE TRIGGER configurations_name_fts_insert AFTER INSERT ON configurations BEGIN
    INSERT INTO configurations_name_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER configurations_name_fts_delete AFTER DELETE ON configurations BEGIN
    DELETE FROM configurations_name_fts WHERE rowid = old.id;
END;
CREATE TRIGGER configurations_name_fts_update AFTER UPDATE OF name ON configurations BEGIN
    DELETE FROM configurations_name_fts WHERE rowid = old.id;
    INSERT INTO configurations_name_fts(rowid, name) VALUES (new.id, new.name);
END;

CREATE VIRTUAL TABLE contacts_name_fts USING fts5(name, content='', contentless_delete=1, tokenize='trigram', detail='none');
INSERT INTO contacts_name_fts(rowid, name) SELECT id, first_name || ' ' || last_name FROM contacts;
CREATE TRIGGER contacts_name_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_name_fts(rowid, name) VALUES (new.id, new.first_name || ' ' || new.last_name);
END;
CREATE TRIGGER contacts_name_fts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_name_fts WHERE rowid = old.id;
END;
CREATE TRIGGER contacts_name_fts_update AFTER UPDATE OF first_name, last_name ON contacts BEGIN
    DELETE FROM contacts_name_fts WHERE rowid = old.id;
    INSERT INTO contacts_name_fts(rowid, name) VALUES (new.id, new.first_name || ' ' || new.last_name);
END;

CREATE VIRTUAL TABLE locations_name_fts USING fts5(name, content='', contentless_delete=1, tokenize='trigram', detail='none');
INSERT INTO locations_name_fts(rowid, name) SELECT id, name FROM locations;
CREATE TRIGGER locations_name_fts_insert AFTER INSERT ON locations BEGIN
    INSERT INTO locations_name_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER locations_name_fts_delete AFTER DELETE ON locations BEGIN
    DELETE FROM locations_name_fts WHERE rowid = old.id;
END;
CREATE TRIGGER locations_name_fts_update AFTER UPDATE OF name ON locations BEGIN
    DELETE FROM locations_name_fts WHERE rowid = old.id;
    INSERT INTO locations_name_fts(rowid, name) VALUES (new.id, new.name);
END;

-- The statistics table, made now: made later by the dataset loader's ANALYZE, it was a schema
-- change beside live writers, and a writer whose statement fires these triggers then failed with
-- "no such table" (tests/race.rs, `loads_at_once_never_take_each_others_ids`).
ANALYZE sqlite_schema;
