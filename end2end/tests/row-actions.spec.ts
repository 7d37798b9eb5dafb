// Manage Data > Synced Items > a row's Actions: Pause, Disconnect (its options, with and
// without the full-delete feature) and Delete by type or status (unavailable until support
// enables it), each test in an account of its own.
import { Page } from '@playwright/test';
import { Account, expect, hydrated, openActions, operator, signInAs, test } from './helpers';

async function openManageData(page: Page, account: Account) {
  await page.goto(`/account/integrations/${account.integration}/manage-data`);
  await hydrated(page);
}

/** The Synced Items row of an organization type or status, e.g. 'Type: Partner'. */
function orgRow(page: Page, value: string) {
  return page.getByRole('region', { name: 'Synced Items' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Organizations', exact: true }) })
    .filter({ has: page.getByRole('cell', { name: value, exact: true }) });
}

async function rowAction(page: Page, value: string, action: string) {
  const row = orgRow(page, value);
  await row.getByRole('button', { name: 'Actions' }).click();
  await row.getByRole('menuitem', { name: action }).click();
}

/** The row's Total column (cells: type or status, Sync Active, four states, Total, Actions). */
const total = async (page: Page, value: string) =>
  Number((await orgRow(page, value).getByRole('cell').nth(6).textContent())!.replace(/,/g, ''));

test('Pause unchecks a type at once: Sync Active becomes No, here and in the sync settings', async ({ page, account }) => {
  await signInAs(page, account);
  await openManageData(page, account);
  const row = orgRow(page, 'Type: Partner');
  await expect(row.getByRole('cell').nth(1)).toHaveText('Yes');
  await rowAction(page, 'Type: Partner', 'Pause');
  const dialog = page.getByRole('dialog', { name: 'Pause syncing Organizations Type: Partner?' });
  await expect(dialog).toContainText('become orphans after the next full sync. Nothing is deleted.');
  await dialog.getByRole('button', { name: 'Pause syncing', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Partner' })).toContainText('no longer syncs (Sync Active: No)');
  await expect(row.getByRole('cell').nth(1)).toHaveText('No');

  await page.goto(`/account/integrations/${account.integration}/configuration`);
  await hydrated(page);
  await expect(page.getByRole('group', { name: 'Organization types' }).getByRole('checkbox', { name: 'Partner' })).not.toBeChecked();

  // The next full sync makes its items orphans, with the reason.
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Start Manual Sync' }).click();
  await expect(page.getByRole('status')).toContainText(/Sync (succeeded|completed with)/, { timeout: 60_000 });
  await openManageData(page, account);
  await expect(row.getByRole('cell').nth(2)).toHaveText('0');
  expect(Number((await row.getByRole('cell').nth(4).textContent())!.replace(/,/g, ''))).toBeGreaterThan(0);
  await row.getByRole('button', { name: 'Actions' }).click();
  await row.getByRole('menuitem', { name: 'View' }).click();
  await expect(page.getByRole('table').getByRole('row').filter({ hasText: 'Type not synced' }).first()).toBeVisible();
});

test('Disconnect offers its options; permanently disconnecting keeps the data stand-alone; full delete appears only where enabled', async ({ page, account }) => {
  await signInAs(page, account);
  await openManageData(page, account);
  expect(await total(page, 'Status: Credit Hold')).toBeGreaterThan(0);
  await rowAction(page, 'Status: Credit Hold', 'Disconnect');
  const dialog = page.getByRole('dialog', { name: 'Disconnect Organizations Status: Credit Hold?' });
  await expect(dialog.getByRole('radio', { name: 'Pause syncing and keep all data' })).toBeChecked();
  const permanent = dialog.getByRole('radio', { name: 'Permanently disconnect records from ConnectWise Manage but keep all data' });
  await expect(permanent).toBeVisible();
  await expect(dialog.getByRole('radio', { name: 'Permanently delete all data including all related/child records' })).toHaveCount(0);
  await expect(dialog).toContainText('could create duplicates: Steward then matches');
  await permanent.check();
  // It cannot be undone: the button waits for the number of items, typed.
  const confirm = dialog.getByRole('button', { name: 'Disconnect permanently' });
  const box = dialog.getByRole('textbox', { name: /^Type [\d,]+ to confirm$/ });
  const want = (await box.evaluate((el) => el.closest('label')!.textContent))!.match(/Type ([\d,]+)/)![1];
  await expect(confirm).toBeDisabled();
  await box.fill('1' + want);
  await expect(confirm).toBeDisabled();
  await box.fill(want);
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Credit Hold' }))
    .toContainText(/Organizations Status: Credit Hold is permanently disconnected: [\d,]+ organizations.* are now stand-alone, with all their data\./);
  await expect(orgRow(page, 'Status: Credit Hold').getByRole('cell').nth(1)).toHaveText('No');
  expect(await total(page, 'Status: Credit Hold')).toBe(0);

  // Checking it again: the next sync matches the stand-alone organizations instead of creating
  // duplicates.
  await page.goto('/organizations');
  await hydrated(page);
  const before = (await page.getByText(/^1–50 of [\d,]+$/).textContent())!;
  await page.goto(`/account/integrations/${account.integration}/configuration`);
  await hydrated(page);
  await page.getByRole('group', { name: 'Organization statuses' }).getByRole('checkbox', { name: 'Credit Hold' }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved.');
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Start Manual Sync' }).click();
  await expect(page.getByRole('status')).toContainText(/Sync (succeeded|completed with)/, { timeout: 60_000 });
  await expect(page.getByRole('status')).toContainText(/ 0 created/);
  await page.goto('/organizations');
  await hydrated(page);
  await expect(page.getByText(/^1–50 of [\d,]+$/)).toHaveText(before);
  await openManageData(page, account);
  await expect(orgRow(page, 'Status: Credit Hold').getByRole('cell').nth(1)).toHaveText('Yes');
  expect(await total(page, 'Status: Credit Hold')).toBeGreaterThan(0);

  // Support enables full delete: the third option appears and goes through the impact, the
  // typed count and the removal queue.
  operator('enable-feature', account.name, 'full-delete');
  await openManageData(page, account);
  const n = await total(page, 'Type: Competitor');
  expect(n).toBeGreaterThan(0);
  await rowAction(page, 'Type: Competitor', 'Disconnect');
  const again = page.getByRole('dialog', { name: 'Disconnect Organizations Type: Competitor?' });
  await again.getByRole('radio', { name: 'Permanently delete all data including all related/child records' }).check();
  await again.getByRole('button', { name: 'Continue to Delete' }).click();
  const del = page.getByRole('dialog', { name: `Delete ${n} organizations of Type: Competitor?` });
  await expect(del).toContainText('Restorable from Account > Removals until');
  await del.getByRole('button', { name: new RegExp(`^Delete ${n} organizations?`) }).click();
  await expect(page.getByRole('progressbar', { name: 'Removal progress' })).toHaveAttribute('aria-valuenow', String(n), { timeout: 60_000 });
  await expect(page.getByRole('region', { name: 'Removal' }).getByRole('status')).toContainText(`Removal finished: ${n} organization`, { timeout: 60_000 });
  await expect.poll(() => total(page, 'Type: Competitor')).toBe(0);
  operator('disable-feature', account.name, 'full-delete');
});

test('Delete by type or status is unavailable until support enables it, then deletes after the typed count', async ({ page, account }) => {
  await signInAs(page, account);
  await openManageData(page, account);
  await rowAction(page, 'Type: Former Customer', 'Delete');
  await expect(page.getByRole('alert')).toContainText('Bulk delete by type or status is unavailable on your account: ask Steward support to enable it');
  await page.getByRole('button', { name: 'Close' }).click();

  operator('enable-feature', account.name, 'bulk-delete-by-type');
  await openManageData(page, account);
  const n = await total(page, 'Type: Former Customer');
  expect(n).toBeGreaterThan(0);
  await rowAction(page, 'Type: Former Customer', 'Delete');
  const dialog = page.getByRole('dialog', { name: `Delete ${n} organizations of Type: Former Customer?` });
  await dialog.getByRole('button', { name: new RegExp(`^Delete ${n} organizations?`) }).click();
  await expect(page.getByRole('region', { name: 'Removal' }).getByRole('status')).toContainText(`Removal finished: ${n} organization`, { timeout: 60_000 });
  await expect.poll(() => total(page, 'Type: Former Customer')).toBe(0);
  operator('disable-feature', account.name, 'bulk-delete-by-type');
});
