#!/usr/bin/env python3
"""Replays a removal of every orphaned organization as SQL in psql, statement by statement, on a
copy of a loaded PostgreSQL database, and prints where the time goes (docs/BENCHMARKS.md, "The
removal on PostgreSQL, taken apart"). The copy is made with CREATE DATABASE ... TEMPLATE and
dropped after.

  scripts/removal-replay.py <server URL> <loaded database> <variant> [SQL run on the copy first]

The loaded database: e.g. `steward load --size xl --database-url <server URL>/xl` (one account,
account id 1). Variants: plain (one cascade DELETE), noarch (the removal's chunked deletes, no
archive), current (as the removal archives: a row per record with its JSON; PAYLOAD=<SQL
expression> replaces `row_to_json(t)::text`, e.g. PAYLOAD="''"), grouped (one archive row per
organization and kind, json_agg), copyfirst (children archived by INSERT ... SELECT, then
deleted by the organizations' cascade)."""
import collections
import os
import re
import subprocess
import sys

CHILDREN = [("configurations", "configuration"), ("contacts", "contact"),
            ("locations", "location"), ("passwords", "password"), ("documents", "document")]
ARCHIVE = ("INSERT INTO deletion_archive (account_id, job_id, item_kind, item_id, "
           "organization_id, payload, created_at)")


def psql(url, *args, stdin=None):
    return subprocess.run(["psql", url, "-X", "-At", *args], input=stdin, capture_output=True,
                          text=True, check=True).stdout


def script(variant, ids, payload, chunk=1000):
    out = ["\\timing on"]
    if variant == "plain":
        return "\n".join(out + ["\\echo @plain",
                                "DELETE FROM organizations WHERE sync_state = 'orphaned';"])
    for i in range(0, len(ids), chunk):
        q = ", ".join(ids[i:i + chunk])
        out += ["BEGIN;", "\\echo @lock",
                f"SELECT count(*) FROM (SELECT t.id FROM organizations t WHERE t.id IN ({q}) "
                "AND t.account_id = 1 AND t.sync_state = 'orphaned' FOR UPDATE) x;"]
        if variant != "noarch":
            out += ["\\echo @archive organizations",
                    f"{ARCHIVE} SELECT 1, 7, 'organization', t.id, t.id, {payload}, now() "
                    f"FROM organizations t WHERE t.id IN ({q});"]
        for table, kind in CHILDREN:
            out.append(f"\\echo @children {table}")
            gone = f"WITH gone AS (DELETE FROM {table} t WHERE t.organization_id IN ({q}) RETURNING t.*)"
            if variant == "current":
                out.append(f"{gone} {ARCHIVE} SELECT 1, 7, '{kind}', t.id, t.organization_id, "
                           f"{payload}, now() FROM gone t;")
            elif variant == "grouped":
                out.append(f"{gone} {ARCHIVE} SELECT 1, 7, '{kind}', min(t.id), t.organization_id, "
                           "json_agg(t)::text, now() FROM gone t GROUP BY t.organization_id;")
            elif variant == "copyfirst":
                out.append(f"{ARCHIVE} SELECT 1, 7, '{kind}', t.id, t.organization_id, {payload}, "
                           f"now() FROM {table} t WHERE t.organization_id IN ({q});")
            elif variant == "noarch":
                out.append(f"DELETE FROM {table} t WHERE t.organization_id IN ({q});")
            else:
                sys.exit(f"unknown variant {variant}")
        out += ["\\echo @delete organizations",
                f"DELETE FROM organizations WHERE id IN ({q}) AND account_id = 1;",
                "\\echo @commit", "COMMIT;"]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    server, loaded, variant = sys.argv[1:4]
    setup = sys.argv[4] if len(sys.argv) > 4 else None
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
        payload = os.environ.get("PAYLOAD", "row_to_json(t)::text")
        timings = psql(url, "-q", stdin=script(variant, ids, payload))
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
