#!/usr/bin/env bash
# Builds Steward's site and server as `cargo leptos build` does for this project, with only
# cargo, wasm-bindgen-cli and (for --release) npm's wasm-opt: a fresh machine need not compile
# cargo-leptos (about 16 minutes on 2 cores) to build or test Steward.
#
#   scripts/build-site.sh            debug: target/site and target/debug/steward
#   scripts/build-site.sh --release  release: WASM with [profile.wasm-release] and wasm-opt -Oz,
#                                    server target/release/steward
#
# What it writes, as `cargo leptos build --split` would from [[workspace.metadata.leptos]] in
# Cargo.toml:
#   target/site/pkg/steward.js and steward.wasm   (wasm-bindgen --target=web, renamed _bg.wasm):
#                                                  the first WASM a page loads
#   target/site/pkg/split_*.wasm, chunk_*.wasm     each island's own code (`#[island(lazy)]`),
#                                                  loaded when a page with it hydrates, and code
#                                                  two islands share
#   target/site/pkg/__wasm_split.*.js, __wasm_split_manifest.json
#                                                  their loader, and which modules each island
#                                                  needs
#   target/site/pkg/steward.css                    (style/main.css as it is: plain CSS)
#   target/site/pkg/*.gz (and *.br with --release)  each file of pkg/ compressed, sent instead of
#                                                  it to a browser that accepts it
#   target/site/*                                  (public/, copied)
# The WASM is compiled into target/front, the directory cargo-leptos uses, so developers who
# have cargo-leptos (`cargo leptos watch`) share its compiled crates.
set -euo pipefail
cd "$(dirname "$0")/.."

release=""
case "${1:-}" in
  "") ;;
  --release) release=1 ;;
  *) echo "usage: scripts/build-site.sh [--release]" >&2; exit 2 ;;
esac

name=steward           # output-name (LEPTOS_OUTPUT_NAME, also set in .cargo/config.toml)
site=target/site        # site-root
pkg="$site/pkg"         # site-pkg-dir

if [ -n "$release" ]; then
  wasm_profile=(--profile=wasm-release); wasm_dir=wasm-release
  server_profile=(--release)
  # The release WASM is built with its own std, compiled for size, where a panic stops at once
  # instead of formatting its message and location (`-Cpanic=immediate-abort`,
  # `-Zlocation-detail=none`): the main module 184 KB -> 124 KB gzip, Manage Data's page
  # 494 KB -> 448 KB (docs/BENCHMARKS.md, "std built for size"). These are unstable flags of the
  # machine's one (stable) toolchain, allowed by RUSTC_BOOTSTRAP for this one cargo; std's source
  # is rustup's rust-src (`scripts/setup.sh run` adds it). RUSTFLAGS replaces the target's
  # rustflags of .cargo/config.toml, so the two there are repeated here.
  if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
    echo "build-site: --release needs std's source: rustup component add rust-src (scripts/setup.sh run does it)" >&2
    exit 1
  fi
  wasm_env=(RUSTC_BOOTSTRAP=1
    "RUSTFLAGS=--cfg erase_components -Clink-args=--emit-relocs -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none")
  wasm_std=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)
else
  wasm_profile=(); wasm_dir=debug
  server_profile=()
  wasm_env=(); wasm_std=()
fi

say() { printf '==> %s\n' "$*"; }

# The server and the WASM compile side by side (cargo-leptos does the same); each cargo waits
# for the other's lock only on its own target directory, and they use different ones.
say "cargo build -p server ${server_profile[*]:-} (server) beside -p frontend (WASM)"
# The server and the WASM splitter (tools/wasm-split, a host tool) share one cargo invocation.
cargo build --package=server --package=wasm-split --bin=steward --bin=steward-wasm-split --no-default-features "${server_profile[@]}" &
server_pid=$!
wasm_status=0
env "${wasm_env[@]}" cargo build --package=frontend --lib --target-dir=target/front \
  --target=wasm32-unknown-unknown --no-default-features "${wasm_profile[@]}" "${wasm_std[@]}" \
  || wasm_status=$?
server_status=0
wait "$server_pid" || server_status=$?
if [ "$wasm_status" -ne 0 ] || [ "$server_status" -ne 0 ]; then
  echo "build-site: the build failed (WASM exit $wasm_status, server exit $server_status)" >&2
  exit 1
fi

# The site is rebuilt whole each time, as cargo-leptos does.
rm -rf "$site"
mkdir -p "$pkg"
if [ -d public ]; then
  cp -R public/. "$site/"
fi
cp style/main.css "$pkg/$name.css"

# The WASM is split at its lazily loaded islands (`#[island(lazy)]`; code three or more share
# stays in the main module, tools/wasm-split-cli-support): the main module goes on to
# wasm-bindgen, the islands' modules and their loader straight into the site.
say "wasm-split"
front="target/front/wasm32-unknown-unknown/$wasm_dir"
if [ -n "$release" ]; then tools=target/release; else tools=target/debug; fi
LEPTOS_OUTPUT_NAME="$name" "$tools/steward-wasm-split" \
  "$front/frontend.wasm" "$pkg" "$front/frontend_split.wasm" > "$front/split_modules.txt"
mapfile -t modules < "$front/split_modules.txt"

say "wasm-bindgen"
# --keep-lld-exports: the split modules call into the main module through the exports the
# linker made; --no-demangle keeps the names the split modules import by.
wasm-bindgen --target=web --keep-lld-exports --no-demangle --out-name="$name" --out-dir="$pkg" \
  "$front/frontend_split.wasm"
# Leptos' hydration script loads /pkg/<name>.wasm.
mv "$pkg/${name}_bg.wasm" "$pkg/$name.wasm"

if [ -n "$release" ]; then
  say "wasm-opt -Oz (the main module and ${#modules[@]} split off, $(nproc) at a time)"
  # npm's wasm-opt starts a node process each time (about a second): run one per core. The
  # splitter writes a name subsection wasm-opt does not know (and drops): not an error.
  printf '%s\0' "$pkg/$name.wasm" "${modules[@]}" |
    xargs -0 -P "$(nproc)" -I{} \
      wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int {} -o {} \
      2> >(grep -v 'unknown name subsection' >&2)
fi
# Precompressed copies beside each file of pkg/: Leptos' static file handler (tower-http's
# ServeDir with precompressed_gzip and precompressed_br) sends x.wasm.br or x.wasm.gz to a browser
# that accepts them, with Content-Encoding, instead of the raw file (Manage Data's WASM: about
# 1.2 MB raw, 0.5 MB gzip). gzip always; brotli (Node's zlib, quality 11) for --release only, as
# it takes some seconds a megabyte.
say "precompress (gzip${release:+ and brotli})"
find "$pkg" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' \) -print0 |
  xargs -0 -P "$(nproc)" -n 8 gzip -9 -k -n -f
if [ -n "$release" ]; then
  find "$pkg" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' \) -print0 |
    xargs -0 -P "$(nproc)" -n 8 node -e '
      const fs = require("fs"), zlib = require("zlib");
      for (const f of process.argv.slice(1)) {
        fs.writeFileSync(f + ".br", zlib.brotliCompressSync(fs.readFileSync(f), {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
                    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: fs.statSync(f).size } }));
      }'
fi
say "site ready in $site"
