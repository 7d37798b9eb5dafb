// An axe-core scan of every page: no serious or critical accessibility violations.
import { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { expect, hydrated, signInAs, test } from './helpers';

async function scan(page: Page, what: string) {
  await hydrated(page);
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `${what}: serious or critical violations`).toEqual([]);
}

for (const width of [1440, 390]) {
test(`the login page has no serious accessibility violations at ${width} px`, async ({ page }) => {
  await page.setViewportSize({ width, height: 900 });
  await page.goto('/login');
  await scan(page, 'login');
});

test(`every signed-in page has no serious accessibility violations at ${width} px`, async ({ page, account }) => {
  await page.setViewportSize({ width, height: 900 });
  await signInAs(page, account);
  await scan(page, 'integrations');
  await page.getByRole('row', { name: /ConnectWise Manage/ }).getByRole('button', { name: 'Actions' }).click();
  await scan(page, 'integrations with the Actions menu open');
  for (const [path, heading] of [
    [`/account/integrations/${account.integration}/manage-data`, /Manage Data/],
    [`/account/integrations/${account.integration}/manage-data/view?row=orphans&kind=configuration`, 'Orphaned configurations'],
    [`/account/integrations/${account.integration}/manage-data/disconnected?kind=configuration`, 'Disconnected configurations'],
    [`/account/integrations/${account.integration}/logs`, 'Sync logs'],
    [`/account/integrations/${account.integration}/configuration`, 'Sync settings'],
    [`/account/integrations/${account.integration}/credentials`, 'Edit Credentials'],
    ['/account/integrations/new', 'Account'],
    ['/account/users', 'Account'],
    ['/account/password', 'Account'],
    ['/account/export', 'Account'],
    ['/account/removals', 'Removals'],
    ['/account/activity', 'Activity log'],
    ['/organizations', 'Organizations'],
    ['/configurations', 'Configurations'],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await scan(page, path);
  }
  // The Logs page with a run's events open.
  await page.goto(`/account/integrations/${account.integration}/logs`);
  await hydrated(page);
  await page.getByRole('button', { name: /Events of the run started/ }).first().click();
  await expect(page.getByRole('heading', { name: 'Events' })).toBeVisible();
  await scan(page, 'logs with events');
  // An organization's page, opened from its name in the list.
  await page.goto('/organizations');
  await hydrated(page);
  const first = page.getByRole('table').getByRole('rowheader').first().getByRole('link');
  const name = (await first.textContent())!.trim();
  await first.click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await scan(page, 'organization page');
});
}
