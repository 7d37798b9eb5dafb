#!/usr/bin/env bash
# Every test: unit and contract tests (SQLite and a private PostgreSQL), the HTTP integration
# test, and the browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/end2end/node_modules/.bin:$PATH"

export STEWARD_SCHEMATHESIS="$PWD/.venv-fuzz/bin/st"
STEWARD_TEST_POSTGRES_URL=$(scripts/pg.sh start)
export STEWARD_TEST_POSTGRES_URL
trap 'scripts/pg.sh stop' EXIT
# Each test makes its own database and leaves it; drop the ones earlier runs left on this server.
psql "$STEWARD_TEST_POSTGRES_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'steward\_test\_%'" |
  while read -r db; do psql "$STEWARD_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; done

echo "==> cargo test (app, ssr)"
cargo test -p app --features ssr
echo "==> cargo test (server: unit, repository contract on SQLite and PostgreSQL, HTTP, fuzzing)"
cargo test -p server
echo "==> site build (server and WASM, scripts/build-site.sh)"
scripts/build-site.sh
echo "==> Playwright (Chromium)"
(cd end2end && npx playwright test)
