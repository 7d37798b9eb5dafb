#!/usr/bin/env bash
# Installs what Steward's build and tests need when it is missing; quiet when all is present.
# Usage: scripts/setup.sh [run|test]   ("test" also makes sure PostgreSQL is installed)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

say() { printf '==> %s\n' "$*"; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The release WASM builds its own std, for size (scripts/build-site.sh --release): std's source.
if [ "$mode" = "run" ] && ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  say "rustup component add rust-src"
  rustup component add rust-src
fi

# wasm-bindgen's CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg_version" ]; then
  say "cargo install wasm-bindgen-cli $wbg_version (about 3 minutes)"
  # Not --locked: its lock file pins a crate version the registry here lacks.
  cargo install wasm-bindgen-cli --version "=$wbg_version" --quiet
fi


# npm's binaryen gives scripts/build-site.sh a wasm-opt that works (Debian's breaks hydration), and
# @playwright/test drives Debian's Chromium. Never `npx playwright install`.
if [ ! -x end2end/node_modules/.bin/playwright ] || [ ! -x end2end/node_modules/.bin/wasm-opt ] \
   || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "npm ci (end2end)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$mode" = "test" ]; then
  # schemathesis (PyPI) fuzzes the JSON API from its OpenAPI document.
  st_version="4.32.5"
  if [ "$(.venv-fuzz/bin/st --version 2>/dev/null | awk '{print $3}')" != "$st_version" ]; then
    say "pip install schemathesis $st_version (into .venv-fuzz)"
    python3 -m venv .venv-fuzz
    .venv-fuzz/bin/pip install --quiet --disable-pip-version-check "schemathesis==$st_version"
  fi
  # Third-party PSA clients, unmodified from PyPI, run against the simulators
  # (server/tests/it/third_party.rs); @apigrate/autotask-restapi comes with end2end's npm packages.
  clients="connectpyse==0.8.1 halopsa==2.0.2"
  if [ "$(.venv-clients/bin/python -c 'import importlib.metadata as m; print(" ".join(p + "==" + m.version(p) for p in ["connectpyse", "halopsa"]))' 2>/dev/null)" != "$clients" ]; then
    say "pip install $clients (into .venv-clients)"
    python3 -m venv .venv-clients
    # shellcheck disable=SC2086
    .venv-clients/bin/pip install --quiet --disable-pip-version-check $clients
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    apt_install chromium
  fi
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql
  fi
fi
