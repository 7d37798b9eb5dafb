// Organizations list: the search grammar, Select All across pages, and Delete of every
// orphaned organization through the impact, the typed count and the removal queue, each test
// in an account of its own.
import { Page } from '@playwright/test';
import { expect, fmt, hydrated, operator, signInAs, test } from './helpers';

async function search(page: Page, q: string) {
  await page.goto('/organizations');
  await hydrated(page);
  await page.getByRole('searchbox', { name: 'Search' }).fill(q);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=/);
  await hydrated(page);
}

/** "1–50 of 102" -> 102. */
async function shownTotal(page: Page) {
  const text = (await page.getByText(/^\d+–\d+ of [\d,]+$/).textContent())!;
  return Number(text.split(' of ')[1].replace(/,/g, ''));
}

test('the search grammar filters by sync status, type and status; Select All counts every match, not just the page', async ({ page, account }) => {
  await signInAs(page, account);
  await search(page, 'status: Active');
  const active = await shownTotal(page);
  expect(active).toBeGreaterThan(50);
  await expect(page.getByRole('table').getByRole('row')).toHaveCount(51);
  await page.getByRole('checkbox', { name: 'Select All' }).check();
  await expect(page.getByRole('status')).toHaveText(`All ${fmt(active)} organizations that match the search are selected`);

  await search(page, 'sync status: stand-alone type: Customer');
  await expect(page.getByRole('table').getByRole('img', { name: /Sync enabled|Orphaned|Sync disabled|Sync error/ })).toHaveCount(0);
  await search(page, 'sync status: lost');
  await expect(page.getByRole('alert')).toContainText('"lost" is not a sync status: use orphaned, enabled, disabled, error or stand-alone');
});

test('Select All then Delete removes every orphaned organization after the typed count', async ({ page, account }) => {
  await signInAs(page, account);
  await search(page, 'sync status: orphaned');
  const n = await shownTotal(page);
  expect(n).toBeGreaterThan(0);
  await expect(page.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await page.getByRole('checkbox', { name: 'Select all' }).check();
  await page.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${fmt(n)} organizations matching “sync status: orphaned”?` });
  await dialog.getByRole('button', { name: new RegExp(`^Delete ${fmt(n)} organizations`) }).click();
  await expect(page.getByRole('progressbar', { name: 'Removal progress' })).toHaveAttribute('aria-valuenow', String(n), { timeout: 60_000 });
  await expect(page.getByRole('region', { name: 'Removal' }).getByRole('status')).toContainText(`Removal finished: ${fmt(n)} organizations`, { timeout: 60_000 });
  await expect(page.getByText(/^No organizations match “sync status: orphaned”/)).toBeVisible();
});

test('Select All of a synced type without bulk delete by type keeps what still syncs, and the dialog says how many and why', async ({ page, account }) => {
  operator('disable-feature', account.name, 'bulk-delete-by-type');
  await signInAs(page, account);
  await search(page, 'type: Customer');
  const n = await shownTotal(page);
  expect(n).toBeGreaterThan(0);
  await page.getByRole('checkbox', { name: 'Select all' }).check();
  await page.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: /organizations matching “type: Customer”\?$/ });
  await expect(dialog.getByRole('note')).toHaveText(/^[\d,]+ organizations still syncing from ConnectWise Manage are not deleted: pause or disconnect their type first$/);
  // The count to type is what really goes: fewer than the list shows.
  const title = (await dialog.getByRole('heading').textContent())!;
  const going = Number(title.replace(/^Delete ([\d,]+) .*$/, '$1').replace(/,/g, ''));
  expect(going).toBeLessThan(n);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
});
