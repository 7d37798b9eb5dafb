// Account > Integrations > Actions > Edit Credentials: keys are never shown back; Test connection
// answers with the PSA's own error, then passes with the right key; Save keeps what was entered.
import { expect, hydrated, openActions, signInAs, test } from './helpers';

test('credentials: a failing and a passing Test connection, then Save', async ({ page, account }) => {
  await signInAs(page, account);
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Edit Credentials' }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Edit Credentials' })).toBeVisible();

  await expect(page.getByLabel('Site URL')).toHaveValue(account.psaUrl);
  await expect(page.getByLabel('Company ID')).toHaveValue('steward_demo');
  const privateKey = page.getByLabel('Private key');
  await expect(privateKey).toHaveValue('');
  await expect(privateKey).toHaveAccessibleDescription(/A key is saved; it is never shown/);
  expect(await page.content()).not.toContain('demo-private-key');

  await privateKey.fill('not-the-key');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toContainText(
    'ConnectWise Manage refused the credentials at system/info: Authentication failed: check the company id, public key and private key');

  await privateKey.fill('demo-private-key');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status')).toContainText('Connection works');

  // An empty key keeps the saved one.
  await privateKey.fill('');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status')).toContainText('Connection works');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved. The next sync uses these credentials.');

  await page.getByLabel('Site URL').fill('not a url');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText("Enter the site's address alone, with https:// and no path");
  // A site that reaches any path, and plain http off loopback, are refused too.
  for (const site of [`${account.psaUrl}/v4_6_release/apis/3.0/system/info?`, 'http://na.myconnectwise.net']) {
    await page.getByLabel('Site URL').fill(site);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByRole('alert')).toContainText("Enter the site's address alone, with https:// and no path");
  }
});

test('credentials: the saved keys stay with their site; another site needs them entered again', async ({ page, account }) => {
  await signInAs(page, account);
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Edit Credentials' }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Edit Credentials' })).toBeVisible();
  await page.getByLabel('Site URL').fill('https://eu.myconnectwise.net');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toContainText('saved secrets are kept only for the site they were saved for');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('saved secrets are kept only for the site they were saved for');
  // Back on the saved site, the kept keys still work.
  await page.getByLabel('Site URL').fill(account.psaUrl);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status')).toContainText('Connection works');
});
