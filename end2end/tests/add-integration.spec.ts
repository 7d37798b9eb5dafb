// Account > Integrations > Add integration, for Autotask and HaloPSA beside ConnectWise Manage.
// The test works in an account of its own (made with `steward account create`, as support
// would), so the demo account the other files use is never touched; the Autotask and HaloPSA
// simulators are started with `steward psa-sim`, as a newcomer would.
import { test, expect, Page } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { demoPsa, freshAccount, hydrated, signInFirstTime } from './helpers';

const bin = path.resolve(__dirname, '../../target/debug/steward');
const sims: ChildProcess[] = [];

/** Starts `steward psa-sim` with `args` on a free port; its address, from the line it prints. */
async function psaSim(...args: string[]): Promise<string> {
  const child = spawn(bin, ['psa-sim', '--addr', '127.0.0.1:0', ...args], { env: { ...process.env, RUST_LOG: 'error' } });
  sims.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const found = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (found) resolve(found[0]);
    });
    child.on('exit', (code) => reject(new Error(`psa-sim ${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

test.afterAll(() => {
  for (const s of sims) s.kill();
});

async function openAddIntegration(page: Page, psa: string) {
  await page.goto('/account/integrations');
  await hydrated(page);
  await page.getByRole('link', { name: 'Add integration' }).click();
  await expect(page.getByRole('heading', { name: 'Add integration' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('group', { name: 'PSA' }).getByRole('radio', { name: psa }).check();
}

async function testConnection(page: Page, says: string) {
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status').filter({ hasText: says })).toBeVisible({ timeout: 60_000 });
}

/** Adds the integration with the form as filled, then checks what syncs and saves. */
async function addAndChoose(page: Page, choices: Record<string, string[]>) {
  await page.getByRole('button', { name: 'Add integration' }).click();
  await expect(page).toHaveURL(/\/account\/integrations\/\d+\/configuration\?added=1$/, { timeout: 60_000 });
  await expect(page.getByRole('note')).toContainText('all start unchecked');
  await hydrated(page);
  for (const [group, names] of Object.entries(choices)) {
    for (const name of names) {
      await page.getByRole('group', { name: group }).getByRole('checkbox', { name, exact: true }).check();
    }
  }
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved. The changes take effect at the next full sync.')).toBeVisible();
}

/** Start Manual Sync from the integration's Actions menu; the number of items it created. */
async function firstSync(page: Page, name: string): Promise<number> {
  await page.goto('/account/integrations');
  await hydrated(page);
  await page.getByRole('row', { name: new RegExp(name) }).getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Start Manual Sync' }).click();
  const status = page.getByRole('status').filter({ hasText: /Sync (succeeded|completed with [\d,]+ errors?):/ });
  await expect(status).toBeVisible({ timeout: 90_000 });
  const created = Number((await status.textContent())!.match(/: ([\d,]+) created/)![1].replace(/,/g, ''));
  return created;
}

/** The integration's Manage Data: the Customer row of Synced Items, as its cells read. */
async function customerRow(page: Page, name: string, psa: string): Promise<string[]> {
  await page.goto('/account/integrations');
  await hydrated(page);
  await page.getByRole('row', { name: new RegExp(name) }).getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Manage Data' }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: `Manage Data: ${name}` })).toBeVisible();
  const synced = page.getByRole('region', { name: 'Synced Items' });
  const row = synced.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Type: Customer', exact: true }) });
  const cells = await row.getByRole('cell').allTextContents();
  // Its Disconnect names the PSA it disconnects from; Cancel changes nothing.
  await hydrated(page);
  await row.getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Disconnect' }).click();
  const dialog = page.getByRole('dialog', { name: 'Disconnect Organizations Type: Customer?' });
  await expect(dialog.getByRole('radio', { name: `Permanently disconnect records from ${psa} but keep all data` })).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  return cells;
}

test('Autotask and HaloPSA integrations are added beside ConnectWise Manage, each with its own items', async ({ page }) => {
  test.setTimeout(120_000);
  const { email, oneTime } = freshAccount('three-psas');
  const autotask = await psaSim('--psa', 'autotask', '--seed', '2', '--secret', 'at-secret-7');
  const halo = await psaSim('--psa', 'halopsa', '--seed', '3', '--client-id', 'halo-e2e', '--client-secret', 'halo-secret-7');

  await signInFirstTime(page, email, oneTime, 'three psas, one account');
  await expect(page.getByText('This account has no PSA integration yet.')).toBeVisible();

  // ConnectWise Manage, against the demo's simulator.
  await openAddIntegration(page, 'ConnectWise Manage');
  await page.getByLabel('Site URL').fill(demoPsa());
  await page.getByLabel('Company ID').fill('steward_demo');
  await page.getByLabel('Public key').fill('demo-public-key');
  await page.getByLabel('Private key').fill('demo-private-key');
  await page.getByLabel('Client ID').fill('00000000-0000-4000-8000-000000000001');
  await addAndChoose(page, {
    'Organization types': ['Customer'], 'Organization statuses': ['Active'],
    'Configuration types': ['Workstation'], 'Configuration statuses': ['Active'], 'Contact types': ['End User'],
  });
  expect(await firstSync(page, 'ConnectWise Manage')).toBeGreaterThan(0);
  const cwBefore = await customerRow(page, 'ConnectWise Manage', 'ConnectWise Manage');

  // Autotask: zone discovery at the simulator; a wrong secret is refused with Autotask's words.
  await openAddIntegration(page, 'Autotask');
  await expect(page.getByLabel('Zone discovery URL')).toHaveValue('https://webservices.autotask.net');
  await page.getByLabel('Zone discovery URL').fill(autotask);
  await page.getByLabel('API username').fill('steward-api@demo-msp.example');
  await page.getByLabel('Secret').fill('not-the-secret');
  await page.getByLabel('API integration code').fill('STEWARDDEMOCODE');
  await testConnection(page, 'Autotask refused the credentials at Companies: User is not authorized');
  await page.getByLabel('Secret').fill('at-secret-7');
  await testConnection(page, 'Connection works: the PSA accepted these credentials.');
  await addAndChoose(page, {
    'Organization types': ['Customer'], 'Organization statuses': ['Active'],
    'Configuration types': ['Workstation', 'Server'], 'Configuration statuses': ['Active'], 'Contact types': ['Contact'],
  });
  expect(await firstSync(page, 'Autotask')).toBeGreaterThan(0);
  const atRow = await customerRow(page, 'Autotask', 'Autotask');

  // HaloPSA: OAuth client credentials; a wrong secret is refused with Halo's words.
  await openAddIntegration(page, 'HaloPSA');
  await page.getByLabel('Halo URL').fill(halo);
  await page.getByLabel('Client ID').fill('halo-e2e');
  await page.getByLabel('Client secret').fill('wrong');
  await testConnection(page, 'HaloPSA refused the credentials at auth/token: The client ID or client secret is not valid');
  await page.getByRole('button', { name: 'Add integration' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'HaloPSA refused the credentials' })).toBeVisible({ timeout: 60_000 });
  await expect(page).toHaveURL(/\/account\/integrations\/new$/);
  await page.getByLabel('Client secret').fill('halo-secret-7');
  await addAndChoose(page, {
    'Organization types': ['Customer'], 'Organization statuses': ['Active'],
    'Configuration types': ['Workstation'], 'Configuration statuses': ['Active'], 'Contact types': ['User'],
  });
  expect(await firstSync(page, 'HaloPSA')).toBeGreaterThan(0);
  const haloRow = await customerRow(page, 'HaloPSA', 'HaloPSA');

  // Three integrations side by side; ConnectWise's items are as they were.
  await page.goto('/account/integrations');
  for (const name of ['ConnectWise Manage', 'Autotask', 'HaloPSA']) {
    await expect(page.getByRole('row', { name: new RegExp(name) }).getByRole('cell', { name: 'Active' })).toBeVisible();
  }
  expect(await customerRow(page, 'ConnectWise Manage', 'ConnectWise Manage')).toEqual(cwBefore);
  expect(atRow).not.toEqual(haloRow);
});
