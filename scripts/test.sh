#!/usr/bin/env bash
# Every test: unit and contract tests (SQLite and a private PostgreSQL), the HTTP integration
# test, and the browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

export STEWARD_SCHEMATHESIS="$PWD/.venv-fuzz/bin/st"
export STEWARD_CLIENTS_PYTHON="$PWD/.venv-clients/bin/python"
export STEWARD_CLIENTS_NODE_MODULES="$PWD/end2end/node_modules"
STEWARD_TEST_POSTGRES_URL=$(scripts/pg.sh start)
export STEWARD_TEST_POSTGRES_URL
trap 'scripts/pg.sh stop' EXIT
# Each test makes its own database and leaves it; drop the ones earlier runs left on this server.
psql "$STEWARD_TEST_POSTGRES_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'steward\_test\_%'" |
  while read -r db; do psql "$STEWARD_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; done

# One cargo invocation for every host crate's tests, with the features the site's server build
# below resolves (`--no-default-features`; app with `ssr`, as the server depends on it): cargo
# unifies features per invocation, and `cargo test -p app --features ssr` alone, or the server
# built beside the WASM splitter, compiled leptos and a hundred crates more a second and a third
# time (about 3.5 minutes on a clean clone of this 2-core machine).
echo "==> cargo test (app with ssr; sim: the PSA simulators and dataset; server: unit, and the integration tests on SQLite and PostgreSQL)"
cargo test -p app -p sim -p server -p wasm-split --no-default-features --features app/ssr
echo "==> site build (server and WASM, scripts/build-site.sh)"
scripts/build-site.sh
echo "==> Playwright (Chromium)"
(cd end2end && npx playwright test)
