# Steward: `make run` runs it, `make test` runs every test. Both install what is missing first.
.PHONY: run test lint bench

# Builds the release site and server, then serves on http://127.0.0.1:3000 (STEWARD_ADDR,
# STEWARD_DATA_DIR, DATABASE_URL, STEWARD_ADMIN_EMAIL and STEWARD_ADMIN_PASSWORD pass through).
# The demo syncs from a simulator on this machine, so it lets integrations reach loopback.
run:
	scripts/setup.sh run
	PATH="$(CURDIR)/end2end/node_modules/.bin:$$PATH" scripts/build-site.sh --release
	LEPTOS_SITE_ROOT=target/site STEWARD_PSA_ALLOW_LOOPBACK=true ./target/release/steward serve

test:
	scripts/test.sh

# fmt and clippy, for the server (ssr) and the front end (wasm32) separately.
lint:
	cargo fmt --all -- --check
	cargo clippy -p server -p sim --all-targets -- -D warnings
	cargo clippy -p app --features ssr --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p wasm-split -- -D warnings

# Dataset loading, Manage Data, View and the lists at L and XL, removals, syncing, the simulators
# at XL and 200 clients at once during a removal, on both databases (see docs/BENCHMARKS.md).
bench:
	STEWARD_BENCH_POSTGRES_URL=$$(scripts/pg.sh start) cargo bench -p server --bench dataset
	STEWARD_BENCH_POSTGRES_URL=$$(scripts/pg.sh start) cargo bench -p server --bench sync
	STEWARD_BENCH_POSTGRES_URL=$$(scripts/pg.sh start) cargo bench -p server --bench removal
	STEWARD_BENCH_POSTGRES_URL=$$(scripts/pg.sh start) cargo bench -p server --bench psa_sync
	cargo bench -p server --bench simulators
	STEWARD_BENCH_POSTGRES_URL=$$(scripts/pg.sh start) cargo bench -p server --bench load
	STEWARD_BENCH_POSTGRES_URL=$$(scripts/pg.sh start) cargo bench -p server --bench export
	STEWARD_BENCH_POSTGRES_URL=$$(scripts/pg.sh start) cargo bench -p server --bench events
