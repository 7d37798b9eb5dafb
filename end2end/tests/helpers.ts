// Shared steps of Steward's browser tests.
import { test as base, expect, Page, Request } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';

export const email = process.env.STEWARD_E2E_EMAIL!;
export const password = process.env.STEWARD_E2E_PASSWORD!;

/** The Manage Data rows a generated dataset must show (`Expected`, written by the server). */
export type Expected = {
  synced_items: { item: string; type_or_status: string; sync_active: string; enabled: number; disabled: number; orphaned: number; error: number; total: number }[];
  orphaned_data: { item: string; count: number }[];
  disconnected_data: { item: string; count: number }[];
};

/** The Manage Data rows the demo dataset must show, written by the server when it loaded it. */
export function expectedDemo() {
  const file = path.join(process.env.STEWARD_E2E_DATA_DIR!, 'demo-dataset.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Expected;
}

/**
 * An account of a test's own: the demo-sized dataset of a fresh seed loaded as if synced, its
 * ConnectWise Manage integration pointed at a simulator of its own serving the same dataset
 * (`steward psa-sim`, stopped with the test), and an Administrator. Nothing another test does
 * reaches it, so the files run in any order and in parallel.
 */
export type Account = {
  name: string;
  email: string;
  oneTime: string;
  /** The password chosen at the first sign-in. */
  password: string;
  signedIn: boolean;
  integration: number;
  psaUrl: string;
  expected: Expected;
  stop: () => void;
};

/** The simulators this worker started and has not stopped: ended with the worker, whatever happens. */
const simulators = new Set<ChildProcess>();
process.on('exit', () => simulators.forEach((c) => c.kill()));

/** A ConnectWise Manage simulator of its own serving the dataset of `seed`: its URL. */
async function simulator(seed: number): Promise<{ url: string; child: ChildProcess }> {
  const bin = path.resolve(__dirname, '../../target/debug/steward');
  const child = spawn(bin, ['psa-sim', '--addr', '127.0.0.1:0', '--seed', String(seed)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RUST_LOG: 'error' },
  });
  simulators.add(child);
  child.on('exit', () => simulators.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/on (http:\/\/[\d.]+:\d+)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`steward psa-sim ended (${code}): ${out}`)));
  });
  return { url, child };
}

/**
 * The demo's seed: the tests' expectations (a Credit Hold organization the PSA still has, orphans
 * of every kind) hold for its data. Each account has its own copy, and its own simulator.
 */
const SEED = 1;

export async function connectedAccount(label: string): Promise<Account> {
  const seed = SEED;
  const sim = await simulator(seed);
  const stamp = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const name = `${label} ${stamp}`;
  const dataDir = process.env.STEWARD_E2E_DATA_DIR!;
  const expectedFile = path.join(dataDir, `expected-${stamp}.json`);
  const said = steward('load', '--size', 's', '--seed', String(seed), '--account', name,
    '--psa-url', sim.url, '--data-dir', dataDir, '--expected', expectedFile);
  const integration = Number(said.match(/\(integration (\d+)\)/)![1]);
  const email = `admin-${stamp}@${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`;
  const added = operatorUser('add', '--account', name, '--email', email, '--name', 'Administrator', '--role', 'administrator');
  return {
    name, email, integration, psaUrl: sim.url,
    oneTime: added.trim().split('\n').pop()!.trim(),
    password: `chosen ${stamp}`,
    signedIn: false,
    expected: JSON.parse(fs.readFileSync(expectedFile, 'utf8')) as Expected,
    stop: () => sim.child.kill(),
  };
}

/** Signs in as the account's Administrator (choosing their password the first time). */
export async function signInAs(page: Page, account: Account) {
  if (account.signedIn) {
    await signIn(page, { email: account.email, password: account.password });
  } else {
    await signInFirstTime(page, account.email, account.oneTime, account.password);
    account.signedIn = true;
  }
}

/** Playwright's `test` with `account`: a connected account of the test's own. */
export const test = base.extend<{ account: Account }>({
  account: async ({}, use, info) => {
    const account = await connectedAccount(path.basename(info.file, '.spec.ts'));
    await use(account);
    account.stop();
  },
});
export { expect };

/** 1243 -> "1,243", as the screens write counts. */
export const fmt = (n: number) => n.toLocaleString('en-US');

/** Waits until the WASM has hydrated the page's islands (app/src/island_script.js marks <body>). */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs in as the demo's Administrator, or as the user given. */
export async function signIn(page: Page, as = { email, password }) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(as.email);
  await page.getByLabel('Password').fill(as.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account\/integrations$/);
  // A page loaded from the server takes its islands' code before its controls work.
  await hydrated(page);
}

/** A first sign-in with a one-time password: the password is replaced by `chosen`. */
export async function signInFirstTime(page: Page, email: string, oneTime: string, chosen: string) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(oneTime);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  await page.getByLabel('New password', { exact: true }).fill(chosen);
  await page.getByLabel('Confirm new password').fill(chosen);
  await page.getByRole('button', { name: 'Save password and sign in' }).click();
  await expect(page).toHaveURL(/\/account\/integrations$/);
  await hydrated(page);
}

/** Makes an account of its own with `steward account create`: its Administrator's email and one-time password. */
export function freshAccount(label: string) {
  const stamp = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const email = `admin-${stamp}@${label}.example`;
  const name = `${label} ${stamp}`;
  const said = operator('create', '--name', name, '--admin-email', email);
  return { name, email, oneTime: said.trim().split('\n').pop()!.trim() };
}

/**
 * An account of its own holding the dataset of a fresh seed (the demo's size S, or L when a test
 * needs more than a page of something), loaded as if synced from
 * one ConnectWise Manage integration (`steward load`), and an Administrator added by the operator
 * command line: its name, the Administrator's email and one-time password.
 */
export function loadedAccount(label: string, size: 's' | 'l' = 's') {
  const stamp = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const name = `${label} ${stamp}`;
  steward('load', '--size', size, '--seed', String(SEED), '--account', name);
  const email = `admin-${stamp}@${label}.example`;
  const said = operatorUser('add', '--account', name, '--email', email, '--name', 'Administrator', '--role', 'administrator');
  return { name, email, oneTime: said.trim().split('\n').pop()!.trim() };
}

/** The base URL of the demo's ConnectWise simulator (the server writes it into its data directory). */
export function demoPsa() {
  return fs.readFileSync(path.join(process.env.STEWARD_E2E_DATA_DIR!, 'demo-psa-url'), 'utf8').trim();
}

/** Opens Account > Integrations and the demo integration's Actions menu. */
export async function openActions(page: Page) {
  await page.goto('/account/integrations');
  await hydrated(page);
  await page.getByRole('row', { name: /ConnectWise Manage/ }).getByRole('button', { name: 'Actions' }).click();
}

/** Runs Steward's operator command line against the test server's database, as support would. */
export function operator(...args: string[]) {
  return steward('account', ...args);
}

/** `steward user ...` against the test server's database: its output. */
export function operatorUser(...args: string[]) {
  return steward('user', ...args);
}

function steward(area: string, ...args: string[]) {
  const bin = path.resolve(__dirname, '../../target/debug/steward');
  const db = `sqlite://${path.join(process.env.STEWARD_E2E_DATA_DIR!, 'steward.db')}`;
  return execFileSync(bin, [area, '--database-url', db, ...args], { encoding: 'utf8', env: { ...process.env, RUST_LOG: 'error' } });
}

/// Records every request the page makes from now on. `followed()` then checks that a job was
/// followed as the server reported it, through the one job stream (`/api/v1/events`, opened
/// once), and not by asking again and again: a page that polls repeats its request.
export function requestLog(page: Page) {
  const paths: string[] = [];
  const listener = (r: Request) => paths.push(new URL(r.url()).pathname);
  page.on('request', listener);
  return {
    followed() {
      page.off('request', listener);
      const counts = new Map<string, number>();
      for (const p of paths) counts.set(p, (counts.get(p) ?? 0) + 1);
      const repeated = [...counts].filter(([, n]) => n > 1);
      expect(repeated, `requests made more than once while the job was followed: ${paths.join(', ')}`).toEqual([]);
      return paths;
    },
  };
}
