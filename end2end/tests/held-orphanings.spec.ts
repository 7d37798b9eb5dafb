// Sync rule 1b: a full sync that finds most linked companies missing from the PSA's listing at
// once holds those orphanings for an Administrator. Manage Data shows the held count, View lists
// the held items, Discard leaves them as they were (the next full sync holds them again), and
// Confirm makes them orphans, deleted in the PSA.
import { Page } from '@playwright/test';
import { expect, openActions, signInAs, test } from './helpers';

/** The simulator's companies, read through ConnectWise's own API with the demo's keys. */
async function psaCompanies(request: import('@playwright/test').APIRequestContext, psaUrl: string): Promise<number[]> {
  const auth = Buffer.from('steward_demo+demo-public-key:demo-private-key').toString('base64');
  const answer = await request.get(`${psaUrl}/v4_6_release/apis/3.0/company/companies?pageSize=1000&fields=id`, {
    headers: { authorization: `Basic ${auth}`, clientId: '00000000-0000-4000-8000-000000000001' },
  });
  expect(answer.ok()).toBeTruthy();
  return ((await answer.json()) as { id: number }[]).map((c) => c.id);
}

async function fullSync(page: Page) {
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Start Manual Sync' }).click();
  await expect(page.getByRole('status')).toContainText(/Sync (succeeded|completed with)/, { timeout: 60_000 });
}

async function openManageData(page: Page) {
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Manage Data' }).click();
  // No wait for the page's code: Confirm and Discard are drawn disabled until they work, and a
  // click waits for them as a person's would land once they are.
  await expect(page.getByRole('heading', { level: 1, name: /Manage Data/ })).toBeVisible();
}

/** The held count of a kind on Manage Data. */
async function heldCount(page: Page, kind: string) {
  const row = page.getByRole('region', { name: 'Held orphanings' }).getByRole('row', { name: new RegExp(`^${kind}`) });
  return Number(((await row.getByRole('cell').first().textContent()) ?? '').replace(/,/g, ''));
}

test('most companies vanishing from the PSA at once wait for an Administrator: View, Discard, sync again, Confirm', async ({ page, request, account }) => {
  await signInAs(page, account);
  const companies = await psaCompanies(request, account.psaUrl);
  expect(companies.length).toBeGreaterThan(60);
  // Two thirds of the PSA's companies are deleted there at once.
  const deleted = companies.filter((_, i) => i % 3 !== 0);
  for (const id of deleted) {
    expect((await request.delete(`${account.psaUrl}/_sim/companies/${id}`)).ok()).toBeTruthy();
  }
  await fullSync(page);

  await openManageData(page);
  const held = page.getByRole('region', { name: 'Held orphanings' });
  await expect(held).toBeVisible();
  const organizations = await heldCount(page, 'Organizations');
  expect(organizations).toBeGreaterThan(20);
  const orphanedRow = page.getByRole('region', { name: 'Orphaned Data' }).getByRole('row', { name: /^Organizations/ });
  const orphansBefore = Number(((await orphanedRow.getByRole('cell').first().textContent()) ?? '').replace(/,/g, ''));

  // View: exactly the held organizations, with their PSA ids.
  await held.getByRole('link', { name: 'View held organizations' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Held organizations/ })).toBeVisible();
  await expect(page.getByText(`1–${organizations} of ${organizations}`)).toBeVisible();
  await expect(page.getByRole('table').getByRole('row')).toHaveCount(organizations + 1);
  const firstPsaId = Number((await page.getByRole('table').getByRole('row').nth(1).getByRole('cell').first().textContent())!.trim());
  expect(deleted).toContain(firstPsaId);

  // Discard: they stay as they were, and the section goes.
  await page.getByRole('link', { name: '< Back' }).click();
  for (const kind of ['organizations', 'locations']) {
    const discard = held.getByRole('button', { name: `Discard held ${kind}` });
    if (await discard.count()) {
      await discard.click();
      await expect(page.getByRole('status').first()).toContainText(`Discarded:`);
    }
  }
  await expect(held).toHaveCount(0);
  await expect(orphanedRow.getByRole('cell').first()).toHaveText(orphansBefore.toLocaleString('en-US'));

  // The next full sync looks again and holds them again; Confirm makes them orphans.
  await fullSync(page);
  await openManageData(page);
  expect(await heldCount(page, 'Organizations')).toBe(organizations);
  await held.getByRole('button', { name: 'Confirm held organizations' }).click();
  await expect(page.getByRole('status').first()).toContainText(`Confirmed: ${organizations} organizations became orphans (deleted in the PSA)`);
  await expect(orphanedRow.getByRole('cell').first()).toHaveText((orphansBefore + organizations).toLocaleString('en-US'));
  await expect(held.getByRole('row', { name: /^Organizations/ })).toHaveCount(0);
});
