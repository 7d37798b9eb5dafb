// View's item actions: the edit pencil (written to the PSA, then applied here; a PSA refusal
// changes nothing) and Disable sync, each test in an account of its own with a simulator of its
// own (see helpers.ts).
import { Page } from '@playwright/test';
import { Account, expect, fmt, hydrated, signInAs, test } from './helpers';

async function viewRow(page: Page, account: Account, region: string, item: string, value?: string) {
  await page.goto(`/account/integrations/${account.integration}/manage-data`);
  await hydrated(page);
  let tr = page.getByRole('region', { name: region }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: item, exact: true }) });
  if (value) tr = tr.filter({ has: page.getByRole('cell', { name: value, exact: true }) });
  await tr.getByRole('button', { name: 'Actions' }).click();
  await tr.getByRole('menuitem', { name: 'View' }).click();
  // View replaces Manage Data once its page's code has loaded.
  await expect(page.getByRole('region', { name: 'Synced Items' })).toBeHidden();
  await expect(page.getByRole('table')).toBeVisible();
}

const body = (page: Page) => page.getByRole('table').getByRole('rowgroup').nth(1);

test.afterEach(async ({ request, account }) => {
  await request.delete(`${account.psaUrl}/_sim/faults`);
});

test('the edit pencil moves an item out of its row, and a PSA refusal leaves it unchanged', async ({ page, request, account }) => {
  const customers = account.expected.synced_items.find((r) => r.type_or_status === 'Type: Customer')!;
  await signInAs(page, account);
  await viewRow(page, account, 'Synced Items', 'Organizations', 'Type: Customer');
  await expect(page.getByText(`${fmt(customers.total)} items`)).toBeVisible();
  const first = body(page).getByRole('row').first();
  const name = (await first.getByRole('rowheader').textContent())!;

  // The PSA refuses: nothing changes, and its words are shown.
  expect((await request.put(`${account.psaUrl}/_sim/faults`, { data: { auth_failure: true } })).ok()).toBeTruthy();
  await first.getByRole('button', { name: 'Edit type and status' }).click();
  await first.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Vendor' });
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(first.getByRole('alert')).toContainText('The PSA refused the change, so nothing changed');
  await expect(first.getByRole('alert')).toContainText('Authentication failed');
  await first.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText(`${fmt(customers.total)} items`)).toBeVisible();
  await expect(body(page).getByRole('rowheader', { name, exact: true })).toBeVisible();
  await request.delete(`${account.psaUrl}/_sim/faults`);

  // The PSA takes it: the item leaves the Customer row.
  await first.getByRole('button', { name: 'Edit type and status' }).click();
  await first.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Vendor' });
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText(`Saved ${name} in the PSA and here.`);
  await expect(page.getByText(`${fmt(customers.total - 1)} items`)).toBeVisible();
  await expect(body(page).getByRole('rowheader', { name, exact: true })).toHaveCount(0);

  // It is in the Vendor row now; put it back.
  // (The Vendor row's few items fit on its first page; re-sorting here raced the pencil's click
  // against the table being drawn again.)
  await viewRow(page, account, 'Synced Items', 'Organizations', 'Type: Vendor');
  await hydrated(page);
  const moved = body(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await expect(moved).toHaveCount(1);
  await moved.getByRole('button', { name: 'Edit type and status' }).click();
  await moved.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Customer' });
  await moved.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText(`Saved ${name}`);
});

test('Disable sync turns one item\'s plug red and lists it under Disconnected Data', async ({ page, account }) => {
  const expected = account.expected;
  const orphans = expected.orphaned_data.find((r) => r.item === 'Contacts')!.count;
  const disconnected = expected.disconnected_data.find((r) => r.item === 'Contacts')?.count ?? 0;
  await signInAs(page, account);
  await viewRow(page, account, 'Orphaned Data', 'Contacts');
  const first = body(page).getByRole('row').first();
  const name = (await first.getByRole('rowheader').textContent())!;
  await first.getByRole('button', { name: 'Actions' }).click();
  await first.getByRole('menuitem', { name: 'Disable sync' }).click();
  await expect(page.getByRole('status')).toContainText(`Sync disabled for ${name}: it is listed under Disconnected Data.`);
  await expect(page.getByText(`${fmt(orphans - 1)} items`)).toBeVisible();

  await page.getByRole('link', { name: '< Back' }).click();
  const row = page.getByRole('region', { name: 'Disconnected Data' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Contacts', exact: true }) });
  await expect(row.getByRole('cell').first()).toHaveText(fmt(disconnected + 1));
});

test('Reconnect brings a disconnected item back, recreates one deleted since, and refuses one gone from the PSA', async ({ page, request, account }) => {
  await signInAs(page, account);
  // The contact the previous test disconnected is the newest.
  await viewRow(page, account, 'Disconnected Data', 'Contacts');
  await expect(page.getByRole('heading', { level: 1, name: 'Disconnected contacts' })).toBeVisible();
  const kept = body(page).getByRole('row').filter({ hasNot: page.getByRole('cell', { name: 'Yes', exact: true }) }).first();
  const name = (await kept.getByRole('rowheader').textContent())!;
  await kept.getByRole('button', { name: 'Reconnect' }).click();
  await expect(page.getByRole('status')).toContainText(`Reconnected ${name}: it syncs again`);
  await expect(body(page).getByRole('rowheader', { name, exact: true })).toHaveCount(0);

  // One deleted in Steward since: recreated from the PSA by the sync Reconnect starts.
  await viewRow(page, account, 'Disconnected Data', 'Configurations');
  const deleted = body(page).getByRole('row').filter({ has: page.getByRole('cell', { name: 'Yes', exact: true }) }).first();
  const gone = (await deleted.getByRole('rowheader').textContent())!;
  await deleted.getByRole('button', { name: 'Reconnect' }).click();
  await expect(page.getByRole('status')).toContainText(`Reconnected ${gone}:`);
  await expect(page.getByRole('status')).toContainText('recreates it from the PSA (data that existed only in Steward does not come back)');

  // An organization deleted in the PSA cannot be reconnected.
  await viewRow(page, account, 'Disconnected Data', 'Organizations');
  const org = body(page).getByRole('row').first();
  const psaId = (await org.getByRole('cell').nth(1).textContent())!.trim();
  const orgName = (await org.getByRole('rowheader').textContent())!;
  expect((await request.delete(`${account.psaUrl}/_sim/companies/${psaId}`)).ok()).toBeTruthy();
  await org.getByRole('button', { name: 'Reconnect' }).click();
  await expect(page.getByRole('alert')).toContainText(`${orgName} no longer exists in the PSA, so it cannot be reconnected`);
  await expect(body(page).getByRole('rowheader', { name: orgName, exact: true })).toHaveCount(1);
});
