#!/usr/bin/env python3
"""Replays a removal of every orphaned organization as SQL in psql, statement by statement, on a
copy of a loaded PostgreSQL database, and prints where the time goes (docs/BENCHMARKS.md, "The
removal on PostgreSQL, taken apart"). The copy is made with CREATE DATABASE ... TEMPLATE and
dropped after.

  scripts/removal-replay.py <server URL> <loaded database> <variant> [SQL run on the copy first]

The loaded database: e.g. `steward load --size xl --database-url <server URL>/xl` (one account,
account id 1), at migration 0017 or later. Variants: plain (one cascade DELETE), noarch (the
removal's chunked deletes, no archive), current (as the removal archived from migration 0017
to 0018: each kind's deleted rows copied as they are into archived_<table> by `DELETE ...
RETURNING`, then the organizations deleted), trigger (as it archives since migration 0018: only
the organizations deleted, and the cascade's deleted rows copied from each statement's
transition table by a trigger; made here so that it also runs on a database loaded before
0018), copy (as current, through COPY out and COPY in). The variants that archived JSON rows
(`deletion_archive`, up to migration 0016: current, grouped, copyfirst, PAYLOAD) are in this
script's history (commit fbe2901)."""
import collections
import re
import subprocess
import sys

CHILDREN = [("configurations", "configuration"), ("contacts", "contact"),
            ("locations", "location"), ("passwords", "password"), ("documents", "document")]
COLUMNS = {
    "organizations": "id, name, organization_type_id, organization_status_id, integration_id, psa_id, "
                     "sync_state, orphan_reason, sync_error, had_data_before_first_sync, last_synced_at, "
                     "created_at, updated_at",
    "configurations": "id, organization_id, name, serial_number, configuration_type_id, "
                      "configuration_status_id, active, integration_id, psa_id, sync_state, orphan_reason, "
                      "sync_error, last_synced_at, created_at, updated_at",
    "contacts": "id, organization_id, first_name, last_name, email, contact_type_id, integration_id, psa_id, "
                "sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at",
    "locations": "id, organization_id, name, address_line1, city, region, postal_code, country, phone, "
                 "integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, "
                 "updated_at",
    "passwords": "id, organization_id, name, username, url, created_at, updated_at, secret_ciphertext",
    "documents": "id, organization_id, title, body, created_at, updated_at",
}


def copy(table, source):
    """The removal's copy of `source` rows (alias t) into the archive table of `table`."""
    cols = COLUMNS[table]
    picked = ", ".join(f"t.{c.strip()}" for c in cols.split(","))
    return f"INSERT INTO archived_{table} (job_id, account_id, {cols}) SELECT 7, 1, {picked} FROM {source}"


# The blob variant's tables (run with the script's setup argument): one row per chunk and kind.
BLOB_SETUP = " ".join(
    f"CREATE TABLE archive_blob_{t} (job_id BIGINT NOT NULL, account_id BIGINT NOT NULL, "
    f"chunk INT NOT NULL, data {t}[] NOT NULL, PRIMARY KEY (job_id, chunk)); "
    f"ALTER TABLE archive_blob_{t} ALTER COLUMN data SET COMPRESSION lz4;"
    for t, _ in CHILDREN)


# The trigger variant's statement triggers: each child table's rows a cascade deletes, copied
# from the statement's transition table into the archive while `steward.archive_job` is set (in
# place of migration 0018's, if the database has them: the organizations are copied by the
# script).
TRIGGER_SETUP = " ".join(
    [f"DROP TRIGGER IF EXISTS {t}_archive ON {t};" for t in ["organizations"] + [c for c, _ in CHILDREN]]
    + [f"CREATE OR REPLACE FUNCTION replay_archive_{t}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
       f"IF coalesce(current_setting('steward.archive_job', true), '') <> '' THEN "
       f"{copy(t, 'gone t')}; END IF; RETURN NULL; END $$; "
       f"CREATE TRIGGER {t}_archive AFTER DELETE ON {t} REFERENCING OLD TABLE AS gone "
       f"FOR EACH STATEMENT EXECUTE FUNCTION replay_archive_{t}();"
       for t, _ in CHILDREN])


def psql(url, *args, stdin=None):
    """psql's output; stops at the first failed statement (a statement that fails inside a
    replayed transaction would otherwise make that chunk look fast) and says which."""
    run = subprocess.run(["psql", url, "-X", "-At", "-v", "ON_ERROR_STOP=1", *args], input=stdin,
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"psql failed ({run.returncode}): {run.stderr.strip()}")
    return run.stdout


def script(variant, ids, chunk=1000):
    out = ["\\timing on"]
    if variant == "plain":
        return "\n".join(out + ["\\echo @plain",
                                "DELETE FROM organizations WHERE sync_state = 'orphaned';"])
    for i in range(0, len(ids), chunk):
        q = ", ".join(ids[i:i + chunk])
        out += ["BEGIN;", "\\echo @lock",
                f"SELECT count(*) FROM (SELECT t.id FROM organizations t WHERE t.id IN ({q}) "
                "AND t.account_id = 1 AND t.sync_state = 'orphaned' FOR UPDATE) x;"]
        if variant == "trigger":
            out += ["SET LOCAL steward.archive_job = '7';"]
        if variant not in ("noarch", "current", "blob", "copy", "trigger"):
            sys.exit(f"unknown variant {variant}")
        if variant in ("current", "blob", "copy", "trigger"):
            out += ["\\echo @archive organizations",
                    copy("organizations", f"organizations t WHERE t.id IN ({q});")]
        for table, kind in CHILDREN:
            if variant == "trigger":
                break
            out.append(f"\\echo @children {table}")
            gone = f"WITH gone AS (DELETE FROM {table} t WHERE t.organization_id IN ({q}) RETURNING t.*)"
            if variant == "current":
                out.append(f"{gone} {copy(table, 'gone t;')}")
            elif variant == "blob":
                # One row per chunk and kind: the deleted rows as one array of the table's row
                # type (setup: BLOB_SETUP makes archive_blob_<table>).
                out.append(f"{gone} INSERT INTO archive_blob_{table} "
                           f"SELECT 7, 1, {i // chunk}, array_agg(ROW(t.*)::{table}) FROM gone t;")
            elif variant == "copy":
                # The deleted rows out through COPY and back into the archive through COPY
                # (PostgreSQL inserts a COPY's rows in batches); the server's file stands in for
                # the app's connection.
                cols = COLUMNS[table]
                f = f"/tmp/replay-{table}.bin"
                out.append(f"COPY (DELETE FROM {table} t WHERE t.organization_id IN ({q}) "
                           f"RETURNING 7::bigint, 1::bigint, {cols}) TO '{f}' (FORMAT binary);")
                out.append(f"\\echo @archive-in {table}")
                out.append(f"COPY archived_{table} (job_id, account_id, {cols}) FROM '{f}' (FORMAT binary);")
            else:
                out.append(f"DELETE FROM {table} t WHERE t.organization_id IN ({q});")
        out += ["\\echo @delete organizations",
                f"DELETE FROM organizations WHERE id IN ({q}) AND account_id = 1;",
                "\\echo @commit", "COMMIT;"]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    server, loaded, variant = sys.argv[1:4]
    setup = sys.argv[4] if len(sys.argv) > 4 else None
    if variant == "trigger":
        setup = TRIGGER_SETUP + (" " + setup if setup else "")
    if variant == "blob":
        setup = BLOB_SETUP + (" " + setup if setup else "")
    base = server.rsplit("/", 1)[0]
    copy = f"replay_{variant}"
    psql(server, "-c", f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)")
    psql(server, "-c", f"CREATE DATABASE {copy} TEMPLATE {loaded}")
    url = f"{base}/{copy}"
    try:
        if setup:
            psql(url, "-c", setup)
        ids = psql(url, "-c", "SELECT id FROM organizations WHERE sync_state = 'orphaned' "
                              "ORDER BY id").split()
        timings = psql(url, "-q", stdin=script(variant, ids))
    finally:
        psql(server, "-c", f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)")
    totals, current = collections.OrderedDict(), None
    for line in timings.splitlines():
        if line.startswith("@"):
            current = line[1:]
        elif (m := re.match(r"Time: ([\d.]+) ms", line)) and current:
            totals[current] = totals.get(current, 0) + float(m.group(1))
            current = None
    for step, ms in totals.items():
        print(f"{step:28s} {ms / 1000:8.2f} s")
    print(f"{'total':28s} {sum(totals.values()) / 1000:8.2f} s")


main()
