// Manage Data > Orphaned Data > Actions > Delete: the impact, the typed confirmation, the queued
// removal watched live to 100 %, the counts after it, in an account of the test's own.
import * as fs from 'node:fs';
import { expect, fmt, hydrated, requestLog, signInAs, test } from './helpers';

test('Delete orphaned locations: impact, typed count, live progress to the end, counts drop, Removals and activity log', async ({ page, account }) => {
  const n = account.expected.orphaned_data.find((r) => r.item === 'Locations')!.count;
  expect(n).toBeGreaterThan(0);
  await signInAs(page, account);
  await page.goto(`/account/integrations/${account.integration}/manage-data`);
  await hydrated(page);
  const row = page.getByRole('region', { name: 'Orphaned Data' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Locations', exact: true }) });
  await row.getByRole('button', { name: 'Actions' }).click();
  await row.getByRole('menuitem', { name: 'Delete' }).click();

  const dialog = page.getByRole('dialog', { name: `Delete ${fmt(n)} orphaned locations?` });
  // A removal can be restored: it is confirmed with a button named for it, beside the date until
  // which Restore can bring it back; no number to type.
  await expect(dialog).toContainText(/Restorable from Account > Removals until \d{4}-\d{2}-\d{2}\./);
  await expect(dialog.getByRole('textbox')).toHaveCount(0);
  const log = requestLog(page);
  await dialog.getByRole('button', { name: `Delete ${fmt(n)} locations` }).click();
  await expect(dialog).toBeHidden();

  const bar = page.getByRole('progressbar', { name: 'Removal progress' });
  await expect(bar).toHaveAttribute('aria-valuemax', String(n));
  await expect(bar).toHaveAttribute('aria-valuenow', String(n), { timeout: 60_000 });
  await expect(page.getByRole('region', { name: 'Removal' }).getByRole('status'))
    .toContainText(`Removal finished: ${fmt(n)} locations deleted.`, { timeout: 60_000 });
  // The counts update without a reload.
  await expect(row.getByRole('cell').first()).toHaveText('0');
  // Followed through the job stream: the counts were read once, at the end.
  log.followed();

  // An Administrator downloads what was deleted.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the deletion archive' }).click();
  const file = await (await download).path();
  const archive = JSON.parse(fs.readFileSync(file!, 'utf8'));
  expect(archive.deleted).toBe(n);
  expect(archive.records.filter((r: { kind: string }) => r.kind === 'location')).toHaveLength(n);
  expect(archive.records[0].record.sync_state).toBe('orphaned');

  // The Removals page lists it, with who started it.
  await page.getByRole('link', { name: 'All removals' }).click();
  await expect(page.getByRole('heading', { name: 'Removals', level: 1 })).toBeVisible();
  await hydrated(page);
  const removal = page.getByRole('row').filter({ hasText: 'orphaned locations' });
  await expect(removal).toContainText(account.email);
  await expect(removal.getByRole('status')).toContainText(`Removal finished: ${fmt(n)} locations deleted`, { timeout: 60_000 });
  await expect(removal.getByRole('progressbar', { name: 'Removal progress' })).toHaveAttribute('aria-valuenow', String(n), { timeout: 60_000 });
  await expect(removal.getByRole('link', { name: 'Download the deletion archive' })).toBeVisible();

  // The activity log records who, what, how many and the outcome.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Activity log' }).click();
  await expect(page.getByRole('heading', { name: 'Activity log', level: 1 })).toBeVisible();
  const entry = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Removal' }) }).first();
  await expect(entry).toContainText(account.email);
  await expect(entry).toContainText('orphaned locations');
  await expect(entry).toContainText('succeeded');
  await expect(entry).toContainText(`deleted: ${n}`);
});
