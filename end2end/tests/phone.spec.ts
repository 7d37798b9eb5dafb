// Phone width: at 360 px no page scrolls sideways (its `scrollWidth` fits the window), the top
// bar keeps Account and Sign out on screen, and a row's Actions menu and the Delete dialog fit.
import { expect, signInAs, test } from './helpers';

const pages = (id: number) => [
  '/account/integrations',
  `/account/integrations/${id}/manage-data`,
  `/account/integrations/${id}/manage-data/view?row=orphans&kind=configuration`,
  `/account/integrations/${id}/manage-data/disconnected?kind=configuration`,
  `/account/integrations/${id}/logs`,
  `/account/integrations/${id}/configuration`,
  `/account/integrations/${id}/credentials`,
  '/account/integrations/new',
  '/account/users',
  '/account/password',
  '/account/export',
  '/account/removals',
  '/account/activity',
  '/organizations',
  '/organizations?q=sync+status%3A+orphaned',
  '/configurations',
];

test('at 360 px wide no page scrolls sideways, and menus and dialogs fit', async ({ page, account }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/login');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await signInAs(page, account);
  for (const path of pages(account.integration)) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(wide, `${path} is ${wide} px wide`).toBeLessThanOrEqual(360);
    for (const name of ['Account', 'Sign out']) {
      const box = await page.getByRole('banner').getByRole(name === 'Account' ? 'link' : 'button', { name }).boundingBox();
      expect(box, `${name} on ${path}`).not.toBeNull();
      expect(box!.x + box!.width, `${name} on ${path}`).toBeLessThanOrEqual(360);
    }
  }
  // A row's Actions menu opens whole, on screen.
  await page.goto(`/account/integrations/${account.integration}/manage-data`);
  const row = page.getByRole('region', { name: 'Orphaned Data' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Locations', exact: true }) });
  await row.getByRole('button', { name: 'Actions' }).click();
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  const m = (await menu.boundingBox())!;
  expect(m.x).toBeGreaterThanOrEqual(0);
  expect(m.x + m.width).toBeLessThanOrEqual(360);
  await expect(page.getByRole('menuitem', { name: 'Delete' })).toBeInViewport({ ratio: 1 });
  // The Delete dialog fits, its confirming button on screen.
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  const d = (await dialog.boundingBox())!;
  expect(d.x).toBeGreaterThanOrEqual(0);
  expect(d.x + d.width).toBeLessThanOrEqual(360);
  await dialog.getByRole('button', { name: /^Delete / }).scrollIntoViewIfNeeded();
  await expect(dialog.getByRole('button', { name: /^Delete / })).toBeInViewport();
});
