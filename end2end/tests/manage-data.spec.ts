// Sign in, open Account > Integrations > Actions > Manage Data, check the three sections against
// what the account's generated dataset must show, sign out.
import { expect, fmt, hydrated, signInAs, test } from './helpers';

test('a protected page sends a visitor to the login page', async ({ page }) => {
  await page.goto('/account/integrations');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in to Steward' })).toBeVisible();
});

test('a wrong password is refused with a message saying what to do', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill('admin@steward.test');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('do not match');
  await expect(page).toHaveURL(/\/login$/);
});

test('Manage Data shows Synced Items, Orphaned Data and Disconnected Data with the counts its dataset implies', async ({ page, account }) => {
  const expected = account.expected;
  await signInAs(page, account);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { name: 'Integrations' })).toBeVisible();
  await page.getByRole('row', { name: /ConnectWise Manage/ }).getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Manage Data' }).click();
  await hydrated(page);
  await expect(page).toHaveURL(/\/account\/integrations\/\d+\/manage-data$/);
  await expect(page.getByRole('heading', { level: 1, name: /Manage Data/ })).toBeVisible();

  const legend = page.getByRole('complementary', { name: 'Plug legend' });
  for (const name of ['Sync enabled', 'Sync disabled', 'Orphaned', 'Sync error']) {
    await expect(legend.getByRole('img', { name })).toBeVisible();
  }

  const synced = page.getByRole('region', { name: 'Synced Items' });
  await expect(synced.getByRole('row')).toHaveCount(expected.synced_items.length + 1);
  for (const row of expected.synced_items) {
    const tr = synced
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: row.item, exact: true }) })
      .filter({ has: page.getByRole('cell', { name: row.type_or_status, exact: true }) });
    await expect(tr.getByRole('cell')).toHaveText([
      row.type_or_status, row.sync_active,
      fmt(row.enabled), fmt(row.disabled), fmt(row.orphaned), fmt(row.error), fmt(row.total), 'Actions',
    ]);
  }

  const orphaned = page.getByRole('region', { name: 'Orphaned Data' });
  for (const row of expected.orphaned_data) {
    const tr = orphaned.getByRole('row').filter({ has: page.getByRole('rowheader', { name: row.item, exact: true }) });
    await expect(tr.getByRole('cell').first()).toHaveText(fmt(row.count));
  }
  const disconnected = page.getByRole('region', { name: 'Disconnected Data' });
  for (const row of expected.disconnected_data) {
    const tr = disconnected.getByRole('row').filter({ has: page.getByRole('rowheader', { name: row.item, exact: true }) });
    await expect(tr.getByRole('cell').first()).toHaveText(fmt(row.count));
  }

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`/account/integrations/${account.integration}/manage-data`);
  await expect(page).toHaveURL(/\/login$/);
});
