// Account > Integrations > Actions > Disconnect, in an account of the test's own.
import { expect, openActions, signInAs, test } from './helpers';

test('Disconnect says what will happen, Cancel keeps everything, Disconnect makes items stand-alone', async ({ page, account }) => {
  await signInAs(page, account);
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Disconnect' }).click();
  const dialog = page.getByRole('dialog', { name: 'Disconnect ConnectWise Manage?' });
  await expect(dialog).toContainText(/Its [\d,]+ organizations, [\d,]+ configurations, [\d,]+ contacts and [\d,]+ locations become stand-alone/);
  await expect(dialog).toContainText('Nothing is deleted, and this cannot be undone.');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row', { name: /ConnectWise Manage/ })).toBeVisible();

  await openActions(page);
  await page.getByRole('menuitem', { name: 'Disconnect' }).click();
  const again = page.getByRole('dialog', { name: 'Disconnect ConnectWise Manage?' });
  // It cannot be undone: the button waits for the number of items, typed.
  const confirm = again.getByRole('button', { name: 'Disconnect ConnectWise Manage' });
  await expect(confirm).toBeDisabled();
  const box = again.getByRole('textbox', { name: /^Type [\d,]+ to confirm$/ });
  const want = (await box.evaluate((el) => el.closest('label')!.textContent))!.match(/Type ([\d,]+)/)![1];
  await box.fill(want);
  await confirm.click();
  await expect(page.getByRole('status')).toContainText(/Disconnected\. [\d,]+ organizations, .* are now stand-alone; nothing was deleted\./);
  await expect(page.getByText('This account has no PSA integration yet.')).toBeVisible();

  // The organizations are all still there, without a plug.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
  await expect(page.getByText(/^1–50 of [\d,]+$/)).toBeVisible();
  await expect(page.getByRole('table').getByRole('img', { name: /Sync enabled|Orphaned|Sync disabled|Sync error/ })).toHaveCount(0);
});
