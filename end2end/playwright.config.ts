// Playwright runs Steward's browser tests in Debian's Chromium against a fresh server: a new
// data directory (fresh SQLite database, demo dataset) for every run.
import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const port = Number(process.env.STEWARD_E2E_PORT ?? 3017);
// Set once in the main process; workers inherit it, so they all see the same server.
process.env.STEWARD_E2E_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'steward-e2e-'));
process.env.STEWARD_E2E_EMAIL ??= 'admin@steward.test';
process.env.STEWARD_E2E_PASSWORD ??= 'e2e-password-9f3k';
const dataDir = process.env.STEWARD_E2E_DATA_DIR;

export default defineConfig({
  testDir: './tests',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  // Every test works in an account of its own (and a PSA simulator of its own where it needs
  // one), so files run in any order and side by side.
  fullyParallel: false,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `${path.resolve(__dirname, '../target/debug/steward')} serve`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    env: {
      STEWARD_ADDR: `127.0.0.1:${port}`,
      STEWARD_DATA_DIR: dataDir,
      DATABASE_URL: `sqlite://${path.join(dataDir, 'steward.db')}`,
      STEWARD_ADMIN_EMAIL: process.env.STEWARD_E2E_EMAIL,
      STEWARD_ADMIN_PASSWORD: process.env.STEWARD_E2E_PASSWORD,
      LEPTOS_SITE_ROOT: path.resolve(__dirname, '../target/site'),
      RUST_LOG: 'warn',
      // The demo's PSA simulators are on this machine (the operator's setting the demo turns on).
      STEWARD_PSA_ALLOW_LOOPBACK: 'true',
      // Small removal chunks with a pause between them: a removal of the demo's orphans lasts
      // a few seconds, long enough to watch it and to cancel it part-way.
      STEWARD_REMOVAL_CHUNK: '2',
      STEWARD_REMOVAL_PAUSE_MS: '250',
    },
  },
});
