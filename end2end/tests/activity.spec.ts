// Account > Activity log, a page at a time: more entries than a page holds, the newest first,
// "Older entries" back to the first one recorded, and "Newest entries" again.
import { test, expect } from '@playwright/test';
import { loadedAccount, operator, signInFirstTime } from './helpers';

test('the activity log pages back to its first entry', async ({ page }) => {
  const account = loadedAccount('activity');
  // More entries than a page holds: support switching a feature on and off, 220 times.
  for (let i = 0; i < 110; i++) {
    operator('enable-feature', account.name, 'full-delete');
    operator('disable-feature', account.name, 'full-delete');
  }
  await signInFirstTime(page, account.email, account.oneTime, 'the administrator password');
  await page.goto('/account/activity');
  const pages = page.getByRole('navigation', { name: 'Activity log pages' });
  const entries = page.getByRole('table').getByRole('row').filter({ has: page.getByRole('cell') });

  await expect(page.getByText('The newest 200 entries.')).toBeVisible();
  await expect(entries).toHaveCount(200);
  // Newest first: the password the Administrator just chose, then support's switches.
  await expect(entries.first().getByRole('rowheader')).toHaveText('Password changed');
  await expect(entries.nth(1).getByRole('rowheader')).toHaveText('Feature disabled');
  await expect(pages.getByRole('link', { name: 'Newest entries' })).toHaveCount(0);

  // The rest, down to the first thing recorded in the account (its Administrator added).
  await pages.getByRole('link', { name: 'Older entries' }).click();
  await expect(page.getByText(/^\d+ older entries\.$/)).toBeVisible();
  const older = Number((await page.getByText(/^\d+ older entries\.$/).textContent())!.split(' ')[0]);
  expect(older).toBeGreaterThanOrEqual(20);
  expect(older).toBeLessThan(200);
  await expect(entries).toHaveCount(older);
  await expect(entries.last().getByRole('rowheader')).toHaveText('User added');
  await expect(pages.getByRole('link', { name: 'Older entries' })).toHaveCount(0);

  await pages.getByRole('link', { name: 'Newest entries' }).click();
  await expect(page.getByText('The newest 200 entries.')).toBeVisible();
  await expect(entries).toHaveCount(200);
});
