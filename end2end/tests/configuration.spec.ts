// Account > Integrations > Actions > Configuration: the sync settings, with what a change will do
// at the next full sync shown before saving; the next full sync then does exactly that.
import { Page } from '@playwright/test';
import { expect, fmt, hydrated, openActions, signInAs, test } from './helpers';

async function openConfiguration(page: Page) {
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Configuration' }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Sync settings' })).toBeVisible();
}

async function fullSync(page: Page) {
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Start Manual Sync' }).click();
  const status = page.getByRole('status');
  await expect(status).toContainText(/Sync (succeeded|completed with)/, { timeout: 60_000 });
  return (await status.textContent()) ?? '';
}

/** "1,243 organizations become orphans" -> 1243, summed over the lines that match. */
async function predicted(page: Page, words: string) {
  const lines = await page.getByRole('region', { name: 'After the next full sync' }).getByRole('listitem').allTextContents();
  return lines.filter((l) => l.includes(words)).map((l) => Number(l.split(' ')[0].replace(/,/g, ''))).reduce((a, b) => a + b, 0);
}

test('a sync-settings change shows what the next full sync will do, and the sync does it', async ({ page, account }) => {
  await signInAs(page, account);
  await openConfiguration(page);
  const vendor = page.getByRole('group', { name: 'Organization types' }).getByRole('checkbox', { name: 'Vendor' });
  await expect(vendor).toBeChecked();
  const preview = page.getByRole('region', { name: 'After the next full sync' });
  await expect(preview).toContainText('No item changes its sync state.');

  await vendor.uncheck();
  await expect(preview.getByRole('listitem').first()).toContainText(/[\d,]+ organizations become orphans/);
  await expect(preview).toContainText(/configurations become orphans/);
  const orphans = await predicted(page, 'become orphans');
  expect(orphans).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved. The changes take effect at the next full sync.');
  await expect(preview).toContainText('No item changes its sync state.');

  const synced = await fullSync(page);
  expect(synced).toContain(`, ${fmt(orphans)} orphaned,`);

  // Checking it again brings them back at the next full sync.
  await openConfiguration(page);
  await page.getByRole('group', { name: 'Organization types' }).getByRole('checkbox', { name: 'Vendor' }).check();
  await expect(preview).toContainText(/orphaned organizations start syncing again/);
  const resumed = await predicted(page, 'start syncing again');
  expect(resumed).toBe(orphans);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved.');
  expect(await fullSync(page)).toContain(', 0 orphaned,');
});

test('a sync interval out of bounds is refused with what to do', async ({ page, account }) => {
  await signInAs(page, account);
  await openConfiguration(page);
  await page.getByLabel('Sync every (minutes)').fill('1');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('The sync interval must be between 5 and 10080 minutes');
});
