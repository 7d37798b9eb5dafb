// View's item actions: the edit pencil (written to the PSA, then applied here; a PSA refusal
// changes nothing) and Disable sync. Named to run after manage-data.spec.ts, whose demo counts
// these change, and before zz-disconnect.spec.ts.
import { test, expect, Page } from '@playwright/test';
import { demoPsa, expectedDemo, fmt, hydrated, signIn } from './helpers';

async function viewRow(page: Page, region: string, item: string, value?: string) {
  await page.goto('/account/integrations/1/manage-data');
  await hydrated(page);
  let tr = page.getByRole('region', { name: region }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: item, exact: true }) });
  if (value) tr = tr.filter({ has: page.getByRole('cell', { name: value, exact: true }) });
  await tr.getByRole('button', { name: 'Actions' }).click();
  await tr.getByRole('menuitem', { name: 'View' }).click();
  await expect(page.getByRole('table')).toBeVisible();
}

const body = (page: Page) => page.getByRole('table').getByRole('rowgroup').nth(1);

test.afterEach(async ({ request }) => {
  await request.delete(`${demoPsa()}/_sim/faults`);
});

test('the edit pencil moves an item out of its row, and a PSA refusal leaves it unchanged', async ({ page, request }) => {
  const customers = expectedDemo().synced_items.find((r) => r.type_or_status === 'Type: Customer')!;
  await signIn(page);
  await viewRow(page, 'Synced Items', 'Organizations', 'Type: Customer');
  await expect(page.getByText(`${fmt(customers.total)} items`)).toBeVisible();
  const first = body(page).getByRole('row').first();
  const name = (await first.getByRole('rowheader').textContent())!;

  // The PSA refuses: nothing changes, and its words are shown.
  expect((await request.put(`${demoPsa()}/_sim/faults`, { data: { auth_failure: true } })).ok()).toBeTruthy();
  await first.getByRole('button', { name: 'Edit type and status' }).click();
  await first.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Vendor' });
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(first.getByRole('alert')).toContainText('The PSA refused the change, so nothing changed');
  await expect(first.getByRole('alert')).toContainText('Authentication failed');
  await first.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText(`${fmt(customers.total)} items`)).toBeVisible();
  await expect(body(page).getByRole('rowheader', { name, exact: true })).toBeVisible();
  await request.delete(`${demoPsa()}/_sim/faults`);

  // The PSA takes it: the item leaves the Customer row.
  await first.getByRole('button', { name: 'Edit type and status' }).click();
  await first.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Vendor' });
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText(`Saved ${name} in the PSA and here.`);
  await expect(page.getByText(`${fmt(customers.total - 1)} items`)).toBeVisible();
  await expect(body(page).getByRole('rowheader', { name, exact: true })).toHaveCount(0);

  // It is in the Vendor row now; put it back.
  await viewRow(page, 'Synced Items', 'Organizations', 'Type: Vendor');
  await page.getByRole('button', { name: 'Name', exact: true }).click();
  const moved = body(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await expect(moved).toHaveCount(1);
  await moved.getByRole('button', { name: 'Edit type and status' }).click();
  await moved.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Customer' });
  await moved.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText(`Saved ${name}`);
});

test('Disable sync turns one item\'s plug red and lists it under Disconnected Data', async ({ page }) => {
  const expected = expectedDemo();
  const orphans = expected.orphaned_data.find((r) => r.item === 'Contacts')!.count;
  const disconnected = expected.disconnected_data.find((r) => r.item === 'Contacts')?.count ?? 0;
  await signIn(page);
  await viewRow(page, 'Orphaned Data', 'Contacts');
  const first = body(page).getByRole('row').first();
  const name = (await first.getByRole('rowheader').textContent())!;
  await first.getByRole('button', { name: 'Disable sync' }).click();
  await expect(page.getByRole('status')).toContainText(`Sync disabled for ${name}: it is listed under Disconnected Data.`);
  await expect(page.getByText(`${fmt(orphans - 1)} items`)).toBeVisible();

  await page.getByRole('link', { name: '< Back' }).click();
  const row = page.getByRole('region', { name: 'Disconnected Data' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Contacts', exact: true }) });
  await expect(row.getByRole('cell').first()).toHaveText(fmt(disconnected + 1));
});
