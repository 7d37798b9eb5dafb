// Account > Removals > Restore, in an account of its own: an Administrator deletes the orphaned
// organizations, then restores one of them, chosen from the removal's archive, and sees it back
// in Manage Data and in the Organizations list, and the restore in the activity log.
import { test, expect, Page } from '@playwright/test';
import { fmt, hydrated, loadedAccount, requestLog, signInFirstTime } from './helpers';

const orphanedOrganizations = (page: Page) =>
  page.getByRole('region', { name: 'Orphaned Data' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Organizations', exact: true }) });

test('restore part of a removal: the chosen organization and what was inside it come back', async ({ page }) => {
  const account = loadedAccount('restore');
  await signInFirstTime(page, account.email, account.oneTime, 'the administrator password');
  await page.getByRole('row', { name: /ConnectWise Manage/ }).getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Manage Data' }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: /Manage Data/ })).toBeVisible();
  await hydrated(page);
  const manageData = page.url();
  const n = Number((await orphanedOrganizations(page).getByRole('cell').first().textContent())!.replace(/,/g, ''));
  expect(n).toBeGreaterThan(1);

  // Delete every orphaned organization.
  await orphanedOrganizations(page).getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${fmt(n)} orphaned organizations?` });
  await dialog.getByRole('button', { name: new RegExp(`^Delete ${fmt(n)} organizations`) }).click();
  await expect(page.getByRole('region', { name: 'Removal' }).getByRole('status'))
    .toContainText(`Removal finished: ${fmt(n)} organizations`, { timeout: 60_000 });
  await expect(orphanedOrganizations(page).getByRole('cell').first()).toHaveText('0');

  // Restore one of them.
  await page.goto('/account/removals');
  await hydrated(page);
  const removal = page.getByRole('row').filter({ hasText: 'orphaned organizations' });
  await removal.getByRole('button', { name: 'Restore' }).click();
  const restore = page.getByRole('dialog', { name: /^Restore removal #\d+$/ });
  await expect(restore).toContainText(`in ${fmt(n)} organizations can come back`);
  await restore.getByRole('radio', { name: 'Some organizations' }).check();
  const choice = restore.getByRole('list', { name: 'Organizations to restore' }).getByRole('checkbox').first();
  const label = (await choice.evaluate((el) => el.closest('label')!.textContent))!.trim();
  const [, name, records] = label.match(/^(.*) \(([\d,]+) records\)$/)!;
  await choice.check();
  const log = requestLog(page);
  await restore.getByRole('button', { name: 'Restore' }).click();
  await expect(restore).toBeHidden();
  const restores = page.getByRole('region', { name: 'Restores' });
  await expect(restores.getByRole('status'))
    .toHaveText(`Restore finished: ${records} records restored, 0 not restored`, { timeout: 60_000 });
  await expect(restores.getByRole('progressbar', { name: 'Restore progress' })).toHaveAttribute('aria-valuenow', '1');
  // Followed through the job stream, not by reading the restores again and again.
  log.followed();

  // Back in Manage Data (orphaned, as it was) and in the Organizations list.
  await page.goto(manageData);
  await hydrated(page);
  await expect(orphanedOrganizations(page).getByRole('cell').first()).toHaveText('1');
  await page.goto('/organizations');
  await hydrated(page);
  await page.getByRole('searchbox', { name: 'Search' }).fill(name);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('table').getByRole('rowheader', { name, exact: true })).toBeVisible();

  // The activity log has it.
  await page.goto('/account/activity');
  await expect(page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Restore' }) }).first())
    .toContainText('orphaned organizations');
});
