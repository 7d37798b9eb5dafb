// Cancel removal: a removal of the orphaned configurations is followed live in a second tab
// (the Removals page) and cancelled there while it runs; both tabs see it end, what was deleted
// stays deleted, the rest stays. The test server pauses between removal chunks
// (STEWARD_REMOVAL_PAUSE_MS in playwright.config.ts) so the removal is still running when the
// button is pressed. Each test works in an account of its own (`account`, see helpers.ts).
import { expect, fmt, hydrated, signInAs, test } from './helpers';

test('Cancel a running removal from a second tab: the deleted stay deleted, the rest stays', async ({ page, context, account }) => {
  const n = account.expected.orphaned_data.find((r) => r.item === 'Configurations')!.count;
  expect(n).toBeGreaterThan(10);
  await signInAs(page, account);
  await page.goto(`/account/integrations/${account.integration}/manage-data`);
  await hydrated(page);
  const row = page.getByRole('region', { name: 'Orphaned Data' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Configurations', exact: true }) });
  await row.getByRole('button', { name: 'Actions' }).click();
  await row.getByRole('menuitem', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${fmt(n)} orphaned configurations?` });
  await dialog.getByRole('button', { name: `Delete ${fmt(n)} configurations` }).click();
  await expect(page.getByRole('progressbar', { name: 'Removal progress' })).toHaveAttribute('aria-valuemax', String(n));

  // A reload picks up the same removal, still going.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('progressbar', { name: 'Removal progress' })).toHaveAttribute('aria-valuemax', String(n));

  // A second tab follows it on the Removals page and cancels it once it has made progress.
  const second = await context.newPage();
  await second.goto('/account/removals');
  await hydrated(second);
  const job = second.getByRole('row').filter({ hasText: 'orphaned configurations' });
  await expect(job.getByRole('progressbar', { name: 'Removal progress' })).toHaveAttribute('aria-valuenow', /^[1-9][0-9]*$/);
  await job.getByRole('button', { name: 'Cancel removal' }).click();
  await expect(job.getByRole('status')).toContainText('Removal cancelled');
  await expect(job.getByRole('button', { name: 'Cancel removal' })).toHaveCount(0);

  // The first tab sees the end live, and its counts update without a reload.
  const status = page.getByRole('region', { name: 'Removal' }).getByRole('status');
  await expect(status).toContainText('Removal cancelled');
  const deleted = Number((await status.textContent())!.match(/cancelled: ([\d,]+) deleted/)![1].replace(/,/g, ''));
  expect(deleted).toBeGreaterThan(0);
  expect(deleted).toBeLessThan(n);
  await expect(row.getByRole('cell').first()).toHaveText(fmt(n - deleted));
});
