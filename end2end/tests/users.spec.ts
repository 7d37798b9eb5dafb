// Account > Users and Account > Password, in an account of its own (made with `steward account
// create`, as support would): an Administrator adds a user, who chooses their password at first
// sign-in and may change it later; the last Administrator cannot demote themself; a deactivated
// user's session ends at once.
import { test, expect } from '@playwright/test';
import { freshAccount, hydrated, loadedAccount, operatorUser, signIn, signInFirstTime } from './helpers';

test('an added user chooses a password at first sign-in, changes it, and is signed out when deactivated', async ({ page, browser }) => {
  const admin = freshAccount('users');
  await signInFirstTime(page, admin.email, admin.oneTime, 'the administrator password');
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await hydrated(page);

  // Add user: a role must be chosen; then the one-time password is shown once.
  const form = page.getByRole('form', { name: 'Add user' });
  await form.getByLabel('Name').fill('Jo Müller-O\'Neil');
  const jo = `jo-${Date.now()}@users.example`;
  await form.getByLabel('Email').fill(jo);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('alert')).toContainText("Choose the user's role");
  await form.getByLabel('Role').selectOption({ label: 'Manager' });
  await form.getByRole('button', { name: 'Add user' }).click();
  const status = page.getByRole('status').filter({ hasText: 'one-time password is' });
  await expect(status).toContainText(`${jo} was added`);
  const oneTime = (await status.locator('code').textContent())!.trim();
  const row = page.getByRole('row', { name: /Jo Müller-O'Neil/ });
  await expect(row.getByRole('cell', { name: 'Active · one-time password' })).toBeVisible();
  await expect(row.getByRole('cell', { name: 'Never' })).toBeVisible();

  // Jo signs in elsewhere: a password too short is refused, then theirs is saved.
  const other = await browser.newContext();
  const joPage = await other.newPage();
  await joPage.goto('/login');
  await hydrated(joPage);
  await joPage.getByLabel('Email').fill(jo);
  await joPage.getByLabel('Password').fill(oneTime);
  await joPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(joPage.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  await joPage.getByLabel('New password', { exact: true }).fill('too short');
  await joPage.getByLabel('Confirm new password').fill('too short');
  await joPage.getByRole('button', { name: 'Save password and sign in' }).click();
  await expect(joPage.getByRole('alert')).toContainText('at least 12 characters');
  await joPage.getByLabel('New password', { exact: true }).fill('jo chose this one');
  await joPage.getByLabel('Confirm new password').fill('jo chose this one');
  await joPage.getByRole('button', { name: 'Save password and sign in' }).click();
  await expect(joPage).toHaveURL(/\/account\/integrations$/);

  // Account > Password: the current password is required.
  await joPage.goto('/account/password');
  await hydrated(joPage);
  await joPage.getByLabel('Current password').fill('not my password');
  await joPage.getByLabel('New password', { exact: true }).fill('jo chose another');
  await joPage.getByLabel('Confirm new password').fill('jo chose another');
  await joPage.getByRole('button', { name: 'Change password' }).click();
  await expect(joPage.getByRole('alert')).toContainText('current password is not right');
  await joPage.getByLabel('Current password').fill('jo chose this one');
  await joPage.getByRole('button', { name: 'Change password' }).click();
  await expect(joPage.getByRole('status')).toContainText('Password changed');
  await signIn(joPage, { email: jo, password: 'jo chose another' });

  // The Administrator's list shows Jo active, signed in; the last Administrator keeps the role.
  await page.reload();
  await hydrated(page);
  await expect(row.getByRole('cell', { name: 'Active', exact: true })).toBeVisible();
  await expect(row.getByRole('cell', { name: 'Never' })).toHaveCount(0);
  await page.getByRole('combobox', { name: 'Role of Administrator' }).selectOption({ label: 'Manager' });
  await expect(page.getByRole('alert')).toContainText("last active Administrator");
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Role of Administrator' })).toHaveValue('administrator');

  // Deactivate: Jo's session ends at once; Jo cannot sign in again.
  await hydrated(page);
  await row.getByRole('button', { name: 'Actions' }).click();
  await row.getByRole('menuitem', { name: 'Deactivate' }).click();
  await expect(page.getByRole('status')).toContainText(`${jo} is deactivated; their sessions ended.`);
  await expect(row.getByRole('cell', { name: 'Deactivated' })).toBeVisible();
  await joPage.goto('/account/integrations');
  await expect(joPage).toHaveURL(/\/login/);
  await hydrated(joPage);
  await joPage.getByLabel('Email').fill(jo);
  await joPage.getByLabel('Password').fill('jo chose another');
  await joPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(joPage.getByRole('alert')).toContainText('deactivated');
  await other.close();

  // Every change is in the activity log.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Activity log' }).click();
  for (const what of ['User added', 'Password changed', 'User deactivated']) {
    await expect(page.getByRole('rowheader', { name: what }).first()).toBeVisible();
  }
});

test('a Read-only user sees no Users, Activity log or Add integration, and the server refuses the Users page', async ({ page }) => {
  const { name } = freshAccount('readonly');
  const email = `reader-${Date.now()}@readonly.example`;
  const said = operatorUser('add', '--account', name, '--email', email, '--name', 'Reader', '--role', 'read-only');
  const oneTime = said.trim().split('\n').pop()!.trim();
  await signInFirstTime(page, email, oneTime, 'a reader password');
  const nav = page.getByRole('navigation', { name: 'Account' });
  await expect(nav.getByRole('link', { name: 'Integrations' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Password' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Activity log' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Add integration' })).toHaveCount(0);
  // The server says no to the page as well.
  await page.goto('/account/users');
  await expect(page.getByRole('alert')).toContainText('Your role does not allow you to manage the account\'s users');
});

test("a Read-only user's Actions menu offers what their role allows: Manage Data and Logs", async ({ page }) => {
  const email = `reader-${Date.now()}@readonly.example`;
  // A reader of an account of its own, with an integration and its data.
  const { name } = loadedAccount('reader');
  const said = operatorUser('add', '--account', name, '--email', email, '--name', 'Reader', '--role', 'read-only');
  await signInFirstTime(page, email, said.trim().split('\n').pop()!.trim(), 'a demo reader password');
  await hydrated(page);
  await page.getByRole('row', { name: /ConnectWise Manage/ }).getByRole('button', { name: 'Actions' }).click();
  const menu = page.getByRole('menu');
  await expect(menu.getByRole('menuitem')).toHaveText(['Manage Data', 'Logs']);
  await menu.getByRole('menuitem', { name: 'Manage Data' }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: /Manage Data/ })).toBeVisible();
});
