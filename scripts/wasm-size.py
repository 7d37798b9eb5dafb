#!/usr/bin/env python3
"""Prints what a browser downloads of Steward's WASM, from a built site (target/site, built by
`scripts/build-site.sh --release`): the main module every page loads, and per page the modules
its lazily loaded code needs (from the split manifest), raw and gzip -9, with the number of
files. Usage: scripts/wasm-size.py [site dir]. Recorded in docs/BENCHMARKS.md."""
import gzip
import json
import pathlib
import sys

site = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/site")
pkg = site / "pkg"


def size(path):
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=9, mtime=0))


main = size(pkg / "steward.wasm")
js = size(pkg / "steward.js")
loader = next(pkg.glob("__wasm_split.*.js"), None)
loader_size = size(loader) if loader else (0, 0)
manifest = json.loads((pkg / "__wasm_split_manifest.json").read_text()) if loader else {}
modules = sorted(pkg.glob("*.wasm"))
everything = [size(m) for m in modules]

print("| what | files | raw | gzip -9 |")
print("|---|---|---|---|")
print(f"| main module (steward.wasm), every page | 1 | {main[0]:,} B | {main[1]:,} B |")
print(f"| its JS (steward.js + the split loader) | 2 | {js[0] + loader_size[0]:,} B | {js[1] + loader_size[1]:,} B |")
rows = []
for split, stems in manifest.items():
    # "manage_data_pages_<hash>" names a group of pages (app/src/lib.rs, `lazy_pages!`).
    page = split.strip("_").rsplit("_", 1)[0].removesuffix("_pages").replace("_", " ")
    sizes = [size(pkg / f"{stem}.wasm") for stem in stems]
    raw = sum(s[0] for s in sizes)
    gz = sum(s[1] for s in sizes)
    rows.append((page, len(stems), raw, gz))
for page, n, raw, gz in sorted(rows, key=lambda r: -r[3]):
    print(f"| a page of {page}: main + {n} modules | {n + 1} | {main[0] + raw:,} B | {main[1] + gz:,} B |")
print(f"| every WASM file of the site | {len(modules)} | {sum(s[0] for s in everything):,} B | {sum(s[1] for s in everything):,} B |")
