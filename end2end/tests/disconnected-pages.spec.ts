// Manage Data > Disconnected Data > View, in an account of its own loaded at size L (1,198
// disconnected configurations): 500 a page, newest first, "Older items" to the last page and
// "Newer items" back.
import { test, expect, Page } from '@playwright/test';
import { fmt, hydrated, loadedAccount, signInFirstTime } from './helpers';

const disconnectedConfigurations = (page: Page) =>
  page.getByRole('region', { name: 'Disconnected Data' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Configurations', exact: true }) });

test('Disconnected Data pages through every disconnected item', async ({ page }) => {
  const account = loadedAccount('disconnected', 'l');
  await signInFirstTime(page, account.email, account.oneTime, 'the administrator password');
  await page.getByRole('row', { name: /ConnectWise Manage/ }).getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Manage Data' }).click();
  await hydrated(page);
  const total = Number((await disconnectedConfigurations(page).getByRole('cell').first().textContent())!.replace(/,/g, ''));
  expect(total).toBeGreaterThan(1000);
  await disconnectedConfigurations(page).getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'View' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Disconnected configurations' })).toBeVisible();

  const pages = page.getByRole('navigation', { name: 'Disconnected item pages' });
  const rows = page.getByRole('table').getByRole('rowgroup').nth(1).getByRole('row');
  await expect(page.getByText(`${fmt(total)} items, newest first: 1 to 500 shown`)).toBeVisible();
  await expect(rows).toHaveCount(500);
  await expect(pages.getByRole('link', { name: 'Newer items' })).toHaveCount(0);
  const newestFirst = await rows.first().getByRole('rowheader').textContent();

  // Older, to the last page: what is left of the total, and no further.
  const last = Math.ceil(total / 500);
  for (let p = 2; p <= last; p++) {
    await pages.getByRole('link', { name: 'Older items' }).click();
    const upTo = Math.min(p * 500, total);
    await expect(page.getByText(`${fmt(total)} items, newest first: ${fmt((p - 1) * 500 + 1)} to ${fmt(upTo)} shown`)).toBeVisible();
    await expect(rows).toHaveCount(upTo - (p - 1) * 500);
  }
  await expect(pages.getByRole('link', { name: 'Older items' })).toHaveCount(0);

  // And back to the newest.
  // Each click waits for its page to arrive, so that the next click is on that page's link.
  for (let p = last - 1; p >= 1; p--) {
    await pages.getByRole('link', { name: 'Newer items' }).click();
    await expect(page.getByText(`${fmt(total)} items, newest first: ${fmt((p - 1) * 500 + 1)} to ${fmt(p * 500)} shown`)).toBeVisible();
    await expect(rows).toHaveCount(500);
  }
  await expect(pages.getByRole('link', { name: 'Newer items' })).toHaveCount(0);
  await expect(rows.first().getByRole('rowheader')).toHaveText(newestFirst!);
});
