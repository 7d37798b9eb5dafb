#!/usr/bin/env bash
# tools/wasm-split-cli-support is wasm_split_cli_support as published on crates.io plus
# Steward's patch (tools/wasm-split-cli-support.patch, which says why).
#
#   scripts/wasm-split-patch.sh --check     the copy is exactly 0.2.3 plus the patch
#   scripts/wasm-split-patch.sh <version>   replace the copy with <version> plus the patch
#                                           (then set the version in tools/wasm-split's
#                                           Cargo.toml, build, and run `make test`)
#
# The published crate comes from the cargo registry cache when it is there, else from crates.io
# (source, not a binary).
set -euo pipefail
cd "$(dirname "$0")/.."
name=wasm_split_cli_support
copy=tools/wasm-split-cli-support
patch_file=$PWD/tools/wasm-split-cli-support.patch
mode=${1:---check}
version=0.2.3
[ "$mode" = --check ] || version=$mode

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
crate=$(ls ~/.cargo/registry/cache/*/"$name-$version.crate" 2>/dev/null | head -1 || true)
if [ -z "$crate" ]; then
  crate=$work/$name-$version.crate
  curl -sSfL -o "$crate" "https://static.crates.io/crates/$name/$name-$version.crate"
fi
tar xzf "$crate" -C "$work"
published=$work/$name-$version
rm -f "$published/.cargo_vcs_info.json" "$published/.cargo-ok"
(cd "$published" && patch -s -p1 < "$patch_file")

if [ "$mode" = --check ]; then
  if diff -r -x .cargo_vcs_info.json -x .cargo-ok -x target "$published" "$copy"; then
    echo "$copy is $name $version plus Steward's patch"
  else
    echo "$copy differs from $name $version plus tools/wasm-split-cli-support.patch (above)" >&2
    exit 1
  fi
else
  rm -rf "$copy"
  cp -r "$published" "$copy"
  echo "$copy is now $name $version plus Steward's patch"
fi
