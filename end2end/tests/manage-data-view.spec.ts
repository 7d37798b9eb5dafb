// Manage Data > a row's Actions > View: exactly the row's items, paged both ways, sortable, with
// the total, and a way back.
import { Page } from '@playwright/test';
import { Account, expect, fmt, hydrated, signInAs, test } from './helpers';

async function openManageData(page: Page, account: Account) {
  await signInAs(page, account);
  await page.goto(`/account/integrations/${account.integration}/manage-data`);
  await hydrated(page);
}

test('View of a Synced Items row pages through exactly its items and sorts by each column', async ({ page, account }) => {
  const row = account.expected.synced_items.find((r) => r.item === 'Configurations' && r.type_or_status === 'Type: Workstation')!;
  await openManageData(page, account);
  const tr = page.getByRole('region', { name: 'Synced Items' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Configurations', exact: true }) })
    .filter({ has: page.getByRole('cell', { name: 'Type: Workstation', exact: true }) });
  await tr.getByRole('button', { name: 'Actions' }).click();
  await tr.getByRole('menuitem', { name: 'View' }).click();
  await expect(page).toHaveURL(/\/manage-data\/view\?row=value&category=configuration_type&value=\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Configurations · Type: Workstation' })).toBeVisible();
  await expect(page.getByText(`${fmt(row.total)} items`)).toBeVisible();
  const body = page.getByRole('table').getByRole('rowgroup').nth(1);
  await expect(body.getByRole('row')).toHaveCount(50);
  await expect(page.getByRole('button', { name: 'Previous page' })).toBeDisabled();

  await page.getByRole('button', { name: 'Last page' }).click();
  // The last page is the last 50 items (keyset pages are not aligned to multiples of 50).
  await expect(body.getByRole('row')).toHaveCount(Math.min(50, row.total));
  await expect(page.getByRole('button', { name: 'Next page' })).toBeDisabled();
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(body.getByRole('row')).toHaveCount(50);
  await expect(page.getByRole('button', { name: 'Next page' })).toBeEnabled();
  await page.getByRole('button', { name: 'First page' }).click();
  await expect(page.getByRole('button', { name: 'Previous page' })).toBeDisabled();

  // Sorting: by name, then by name descending.
  const nameHeader = page.getByRole('columnheader', { name: 'Name', exact: true });
  await expect(nameHeader).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('button', { name: 'Name', exact: true }).click();
  await expect(nameHeader).toHaveAttribute('aria-sort', 'descending');
  // The header turns at the click; the rows follow when the new page has loaded: poll them.
  await expect.poll(async () => {
    const names = await body.getByRole('rowheader').allTextContents();
    return names.length > 1 && names.join('\n') === [...names].sort().reverse().join('\n');
  }).toBe(true);
  await page.getByRole('button', { name: 'Sync', exact: true }).click();
  await expect(page.getByRole('columnheader', { name: 'Sync', exact: true })).toHaveAttribute('aria-sort', 'ascending');
  await expect(body.getByRole('row')).toHaveCount(50);

  await page.getByRole('link', { name: '< Back' }).click();
  await expect(page).toHaveURL(/\/manage-data$/);
});

test('View of an Orphaned Data row shows only orphans, each with its reason', async ({ page, account }) => {
  const orphans = account.expected.orphaned_data.find((r) => r.item === 'Contacts')!;
  await openManageData(page, account);
  const tr = page.getByRole('region', { name: 'Orphaned Data' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Contacts', exact: true }) });
  await tr.getByRole('button', { name: 'Actions' }).click();
  await tr.getByRole('menuitem', { name: 'View' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Orphaned contacts' })).toBeVisible();
  await expect(page.getByText(`${fmt(orphans.count)} items`)).toBeVisible();
  const body = page.getByRole('table').getByRole('rowgroup').nth(1);
  const plugs = body.getByRole('img');
  await expect(plugs.first()).toHaveAccessibleName('Orphaned');
  expect(new Set(await plugs.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))))).toEqual(new Set(['Orphaned']));
});
