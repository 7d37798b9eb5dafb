#!/usr/bin/env python3
"""Prints what a browser downloads of Steward's WASM, from a built site (target/site, built by
`scripts/build-site.sh --release`): the main module every page loads, and per page the modules
its island's lazily loaded code needs (from the split manifest), raw and gzip -9, with the number of
files; and, where the build wrote them (`--release`), the brotli files the server sends to a
browser that accepts br (Chromium, Firefox and Safari all do). Usage: scripts/wasm-size.py
[site dir]. Recorded in docs/BENCHMARKS.md."""
import gzip
import json
import pathlib
import sys

site = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/site")
pkg = site / "pkg"


def size(path):
    """(raw, gzip -9, the .br beside it or None)"""
    data = path.read_bytes()
    br = path.with_name(path.name + ".br")
    return (
        len(data),
        len(gzip.compress(data, compresslevel=9, mtime=0)),
        br.stat().st_size if br.exists() else None,
    )


def total(sizes):
    brs = [s[2] for s in sizes]
    return (
        sum(s[0] for s in sizes),
        sum(s[1] for s in sizes),
        None if None in brs else sum(brs),
    )


def row(what, files, s):
    br = "—" if s[2] is None else f"{s[2]:,} B"
    print(f"| {what} | {files} | {s[0]:,} B | {s[1]:,} B | {br} |")


main = size(pkg / "steward.wasm")
loader = next(pkg.glob("__wasm_split.*.js"), None)
manifest = json.loads((pkg / "__wasm_split_manifest.json").read_text()) if loader else {}
modules = sorted(pkg.glob("*.wasm"))

print("| what | files | raw | gzip -9 | brotli, as served |")
print("|---|---|---|---|---|")
row("main module (steward.wasm), every page", 1, main)
row("its JS (steward.js + the split loader)", 2,
    total([size(pkg / "steward.js")] + ([size(loader)] if loader else [])))
rows = []
for split, stems in manifest.items():
    # "ManageDataPanel_loader_<hash>" names an island (`#[island(lazy)]`); a page has one.
    island = split.strip("_").rsplit("_", 1)[0].removesuffix("_loader")
    rows.append((island, len(stems), total([main] + [size(pkg / f"{stem}.wasm") for stem in stems])))
for island, n, s in sorted(rows, key=lambda r: -r[2][1]):
    row(f"a page with {island}: main + {n} modules", n + 1, s)
row("every WASM file of the site", len(modules), total([size(m) for m in modules]))
