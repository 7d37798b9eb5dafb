// Organization restrictions and what each role is offered, in an account of its own loaded with
// the demo-sized dataset: an Administrator adds a Manager restricted to two organizations with
// the picker; the Manager chooses a password at first sign-in, sees only those organizations'
// items in the lists and in Manage Data's View, and deletes the orphans there (and only there);
// an Editor gets the edit pencil but no Delete; a Read-only user neither; a deactivated user is
// signed out at once.
import { test, expect, Page } from '@playwright/test';
import { fmt, hydrated, loadedAccount, operatorUser, signInFirstTime } from './helpers';

const orphanedConfigurations = (page: Page) =>
  page.getByRole('region', { name: 'Orphaned Data' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Configurations', exact: true }) });

async function count(page: Page) {
  return Number((await orphanedConfigurations(page).getByRole('cell').first().textContent())!.replace(/,/g, ''));
}

async function openManageData(page: Page) {
  await page.goto('/account/integrations');
  await hydrated(page);
  await page.getByRole('row', { name: /ConnectWise Manage/ }).getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Manage Data' }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: /Manage Data/ })).toBeVisible();
  await hydrated(page);
}

/** The Organization column of every row of the table shown (found by its header). */
async function organizations(page: Page) {
  const table = page.getByRole('table');
  await expect(table.getByRole('row').filter({ has: page.getByRole('rowheader') }).first()).toBeVisible();
  return table.evaluate((t) => {
    const heads = Array.from(t.querySelectorAll('thead th')).map((h) => h.textContent!.trim());
    const col = heads.indexOf('Organization');
    return Array.from(t.querySelectorAll('tbody tr')).map((r) => r.children[col].textContent!.trim());
  });
}

test('a Manager restricted to two organizations sees and deletes only within them', async ({ page, browser }) => {
  const account = loadedAccount('restrict');
  await signInFirstTime(page, account.email, account.oneTime, 'the administrator password');

  // An organization with orphaned configurations: the first row of Orphaned Data's View.
  await openManageData(page);
  const manageData = page.url();
  const before = await count(page);
  expect(before).toBeGreaterThan(0);
  await orphanedConfigurations(page).getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'View' }).click();
  await hydrated(page);
  const [withOrphans] = await organizations(page);

  // Add user: a Manager restricted to it and to one other, chosen with the picker.
  await page.goto('/account/users');
  await hydrated(page);
  const form = page.getByRole('form', { name: 'Add user' });
  await form.getByLabel('Name').fill('Rita Restricted');
  const rita = `rita-${Date.now()}@restrict.example`;
  await form.getByLabel('Email').fill(rita);
  await form.getByLabel('Role').selectOption({ label: 'Manager' });
  const picker = form.getByRole('group', { name: 'Restricted to organizations' });
  await expect(picker).toContainText('None chosen: the user sees every organization.');
  const searchBox = picker.getByRole('searchbox', { name: 'Search organizations' });
  await searchBox.fill(withOrphans.toUpperCase());
  await picker.getByRole('button', { name: `Add ${withOrphans}`, exact: true }).click();
  await searchBox.fill('');
  const another = picker.getByRole('list', { name: 'Matching organizations' }).getByRole('button', { disabled: false }).first();
  const otherName = (await another.getAttribute('aria-label'))!.replace(/^Add /, '');
  await another.click();
  const chosen = picker.getByRole('list', { name: 'Chosen organizations' }).getByRole('listitem');
  await expect(chosen).toHaveCount(2);
  await expect(picker).toContainText('The user sees only these 2:');
  await form.getByRole('button', { name: 'Add user' }).click();
  const status = page.getByRole('status').filter({ hasText: 'one-time password is' });
  await expect(status).toContainText(`${rita} was added`);
  const oneTime = (await status.locator('code').textContent())!.trim();
  const row = page.getByRole('row', { name: /Rita Restricted/ });
  const mine = [withOrphans, otherName].sort();
  await expect(row.getByRole('cell', { name: mine.join(', ') })).toBeVisible();

  // Rita must choose her password first; then the lists hold only her two organizations' items.
  const context = await browser.newContext();
  const ritaPage = await context.newPage();
  await signInFirstTime(ritaPage, rita, oneTime, 'rita chose this one');
  await ritaPage.goto('/organizations');
  await hydrated(ritaPage);
  await expect(ritaPage.getByText(/^\d+–\d+ of 2$/)).toBeVisible();
  await expect(ritaPage.getByRole('table').getByRole('rowheader')).toHaveText(mine);
  // Her organization's name opens its page: what is inside it, with counts.
  await ritaPage.getByRole('table').getByRole('link', { name: withOrphans, exact: true }).click();
  await expect(ritaPage.getByRole('heading', { level: 1, name: withOrphans })).toBeVisible();
  const inside = ritaPage.getByRole('table', { name: 'Inside this organization' });
  await expect(inside.getByRole('rowheader')).toHaveText(['Configurations', 'Contacts', 'Locations', 'Passwords (Steward only)', 'Documents (Steward only)']);
  const configurations = Number((await inside.getByRole('row', { name: /^Configurations/ }).getByRole('cell').textContent())!.replace(/,/g, ''));
  expect(configurations).toBeGreaterThan(0);
  await expect(ritaPage.getByRole('heading', { level: 2, name: `Configurations (${fmt(configurations)})` })).toBeVisible();
  await ritaPage.goto('/configurations');
  await hydrated(ritaPage);
  for (const org of await organizations(ritaPage)) expect(mine).toContain(org);

  // Manage Data counts only her organizations; Delete is offered for orphans, Disconnect and
  // Pause (which reach every organization) are not.
  await ritaPage.goto(manageData);
  await hydrated(ritaPage);
  const hers = await count(ritaPage);
  expect(hers).toBeGreaterThan(0);
  expect(hers).toBeLessThan(before);
  // The first row with anything in it for her (an empty row offers no Actions).
  const synced = ritaPage.getByRole('region', { name: 'Synced Items' }).getByRole('row')
    .filter({ has: ritaPage.getByRole('button', { name: 'Actions' }) }).first();
  await synced.getByRole('button', { name: 'Actions' }).click();
  await expect(synced.getByRole('menuitem')).toHaveText(['View', 'Delete']);
  await synced.getByRole('button', { name: 'Actions' }).click();
  await orphanedConfigurations(ritaPage).getByRole('button', { name: 'Actions' }).click();
  await ritaPage.getByRole('menuitem', { name: 'View' }).click();
  await hydrated(ritaPage);
  await expect(ritaPage.getByText(`${fmt(hers)} items`, { exact: true })).toBeVisible();
  for (const org of await organizations(ritaPage)) expect(mine).toContain(org);

  await ritaPage.goto(manageData);
  await hydrated(ritaPage);
  await orphanedConfigurations(ritaPage).getByRole('button', { name: 'Actions' }).click();
  await ritaPage.getByRole('menuitem', { name: 'Delete' }).click();
  const dialog = ritaPage.getByRole('dialog', { name: `Delete ${fmt(hers)} orphaned configurations?` });
  await dialog.getByRole('button', { name: `Delete ${fmt(hers)} configurations` }).click();
  await expect(ritaPage.getByRole('region', { name: 'Removal' }).getByRole('status'))
    .toContainText(`Removal finished: ${fmt(hers)} configurations deleted`, { timeout: 60_000 });

  // The Administrator sees exactly her orphans gone, and nobody else's.
  await page.goto(manageData);
  await hydrated(page);
  expect(await count(page)).toBe(before - hers);

  // Deactivated (from the row's Actions menu): her session ends at once.
  await page.goto('/account/users');
  await hydrated(page);
  await row.getByRole('button', { name: 'Actions' }).click();
  await row.getByRole('menuitem', { name: 'Deactivate' }).click();
  await expect(page.getByRole('status')).toContainText(`${rita} is deactivated; their sessions ended.`);
  await ritaPage.goto('/organizations');
  await expect(ritaPage).toHaveURL(/\/login/);
  await context.close();
});

test('an Editor gets the edit pencil but no Delete; a Read-only user gets neither', async ({ browser }) => {
  const account = loadedAccount('roles');
  for (const [role, label, edits] of [['editor', 'Ed Editor', true], ['read-only', 'Rae Reader', false]] as const) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `${role}-${Date.now()}@roles.example`;
    const said = operatorUser('add', '--account', account.name, '--email', email, '--name', label, '--role', role);
    await signInFirstTime(page, email, said.trim().split('\n').pop()!.trim(), `${role} password here`);
    await openManageData(page);
    // Orphaned Data offers View only; Synced Items rows neither Delete, Disconnect nor Pause.
    await orphanedConfigurations(page).getByRole('button', { name: 'Actions' }).click();
    await expect(orphanedConfigurations(page).getByRole('menuitem')).toHaveText(['View']);
    const synced = page.getByRole('region', { name: 'Synced Items' }).getByRole('row').nth(1);
    await synced.getByRole('button', { name: 'Actions' }).click();
    await expect(synced.getByRole('menuitem')).toHaveText(['View']);
    await synced.getByRole('menuitem', { name: 'View' }).click();
    await hydrated(page);
    await expect(page.getByRole('table').getByRole('rowheader').first()).toBeVisible();
    const pencils = page.getByRole('button', { name: 'Edit type and status' });
    const rowMenus = page.getByRole('table').getByRole('button', { name: 'Actions' });
    if (edits) {
      await expect(pencils.first()).toBeVisible();
      await rowMenus.first().click();
      await expect(page.getByRole('menuitem', { name: 'Disable sync' })).toBeVisible();
    } else {
      await expect(pencils).toHaveCount(0);
      await expect(rowMenus).toHaveCount(0);
    }
    // The Organizations list offers no Select All (nor its Delete).
    await page.goto('/organizations');
    await hydrated(page);
    await expect(page.getByRole('table').getByRole('rowheader').first()).toBeVisible();
    await expect(page.getByRole('checkbox', { name: 'Select All' })).toHaveCount(0);
    await context.close();
  }
});
