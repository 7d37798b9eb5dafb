// Account > Integrations: the Actions menu, Start Manual Sync watched live to its end, Pause Sync
// and Resume Sync, and the Logs with a failed run's reason. Each test has an account and a
// ConnectWise simulator of its own, slowed down or broken on purpose through its /_sim API.
import { expect, hydrated, openActions, requestLog, signInAs, test } from './helpers';

test.beforeEach(async ({ page, request, account }) => {
  await request.delete(`${account.psaUrl}/_sim/faults`);
  await signInAs(page, account);
});

test.afterEach(async ({ request, account }) => {
  await request.delete(`${account.psaUrl}/_sim/faults`);
});

test('the Actions menu offers the integration actions', async ({ page, account }) => {
  await openActions(page);
  const menu = page.getByRole('menu');
  for (const name of ['Manage Data', 'Logs', 'Start Manual Sync', 'Edit Credentials', 'Configuration', 'Pause Sync', 'Disconnect']) {
    await expect(menu.getByRole('menuitem', { name })).toBeVisible();
  }
  await menu.getByRole('menuitem', { name: 'Logs' }).click();
  await hydrated(page);
  await expect(page).toHaveURL(/\/account\/integrations\/\d+\/logs$/);
  await expect(page.getByRole('heading', { name: 'Sync runs' })).toBeVisible();
});

test('Start Manual Sync shows the run live until it ends', async ({ page, request, account }) => {
  // A slow PSA: the run lasts long enough to be watched.
  expect((await request.put(`${account.psaUrl}/_sim/faults`, { data: { slow_millis: 40 } })).ok()).toBeTruthy();
  await openActions(page);
  const log = requestLog(page);
  await page.getByRole('menuitem', { name: 'Start Manual Sync' }).click();
  const status = page.getByRole('status');
  await expect(status).toContainText('Sync running');
  await request.delete(`${account.psaUrl}/_sim/faults`);
  await expect(status).toContainText(/Sync (succeeded|completed with [\d,]+ errors?): 0 created, \d+ updated, 0 orphaned, [\d,]+ unchanged, [\d,]+ failed\./, { timeout: 60_000 });
  // The list shows the new last sync without a reload.
  await expect(page.getByRole('row', { name: /ConnectWise Manage/ })).toContainText(/Succeeded|Completed with/);
  // Followed through the job stream: the page never asked for the run's progress.
  log.followed();
});

test('Pause Sync stops the next run from starting until Resume Sync', async ({ page }) => {
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Pause Sync' }).click();
  const row = page.getByRole('row', { name: /ConnectWise Manage/ });
  await expect(row.getByRole('cell', { name: 'Paused' })).toBeVisible();
  await row.getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Start Manual Sync' }).click();
  await expect(page.getByRole('status')).toContainText('Sync is paused for this integration: resume it to start a sync.');
  await row.getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Resume Sync' }).click();
  await expect(row.getByRole('cell', { name: 'Active' })).toBeVisible();
});

test('Logs show a failed run with the PSA\'s reason, and its events by level', async ({ page, request, account }) => {
  const fault = { server_error: { endpoint: 'company/companies', page: 1 } };
  expect((await request.put(`${account.psaUrl}/_sim/faults`, { data: fault })).ok()).toBeTruthy();
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Start Manual Sync' }).click();
  const reason = 'ConnectWise Manage answered 500 at company/companies: An unexpected error has occurred';
  await expect(page.getByRole('status')).toContainText(`Sync failed: ${reason}`, { timeout: 60_000 });
  await request.delete(`${account.psaUrl}/_sim/faults`);

  await page.getByRole('row', { name: /ConnectWise Manage/ }).getByRole('button', { name: 'Actions' }).click();
  await page.getByRole('menuitem', { name: 'Logs' }).click();
  await hydrated(page);
  await expect(page.getByRole('img', { name: /Records synced and orphaned per run/ })).toBeVisible();
  // The chart has axes and a legend, and draws each run's bars in the legend's colours.
  const chart = page.getByRole('figure');
  await expect(chart).toContainText('Synced (created and updated)');
  await expect(chart).toContainText('Orphaned');
  await expect(chart).toContainText('Runs, oldest first (start time, UTC)');
  expect(await chart.locator('svg[role="img"] rect[fill="#2563eb"]').count()).toBeGreaterThan(0);
  const failed = page.getByRole('region', { name: 'Sync runs' }).getByRole('row').filter({ hasText: reason }).first();
  await expect(failed.getByRole('cell', { name: 'Failed', exact: true })).toBeVisible();
  await failed.getByRole('button', { name: /Events of the run started/ }).click();
  const events = page.getByRole('region', { name: 'Events' });
  await expect(events.getByRole('row').filter({ hasText: reason })).toHaveCount(1);
  await events.getByLabel('Level').selectOption({ label: 'Warnings' });
  await expect(events).toContainText('No events to show.');
  await events.getByLabel('Level').selectOption({ label: 'Errors' });
  await expect(events.getByRole('row').filter({ hasText: reason })).toHaveCount(1);
});

test('the Actions menu works from the keyboard: arrows move, Home and End jump, Escape closes and returns focus', async ({ page }) => {
  await hydrated(page);
  const button = page.getByRole('row', { name: /ConnectWise Manage/ }).getByRole('button', { name: 'Actions' });
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Manage Data' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Logs' })).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(page.getByRole('menuitem', { name: 'Disconnect' })).toBeFocused();
  await page.keyboard.press('Home');
  await expect(page.getByRole('menuitem', { name: 'Manage Data' })).toBeFocused();
  await page.keyboard.press('End');
  await expect(page.getByRole('menuitem', { name: 'Disconnect' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(button).toBeFocused();
});
