// Account > Export, in an account of its own: the passphrase is checked, the export is queued
// and followed to its end, and the file downloads as a ZIP holding the manifest and a file per
// kind of record.
import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import { hydrated, loadedAccount, requestLog, signInFirstTime } from './helpers';

test('export an account and download it', async ({ page }) => {
  const account = loadedAccount('export');
  await signInFirstTime(page, account.email, account.oneTime, 'the administrator password');
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Export' }).click();
  await expect(page.getByRole('heading', { name: 'Export', exact: true })).toBeVisible();
  await hydrated(page);
  const form = page.getByRole('form', { name: 'Export the account' });

  // A short passphrase, then two that differ, are refused.
  await form.getByLabel('Passphrase', { exact: true }).fill('too short');
  await form.getByLabel('Confirm passphrase').fill('too short');
  await form.getByRole('button', { name: 'Export account' }).click();
  await expect(form.getByRole('alert')).toContainText('Choose a passphrase of 12');
  await form.getByLabel('Passphrase', { exact: true }).fill('a long export passphrase');
  await form.getByLabel('Confirm passphrase').fill('a long export passphrase!');
  await form.getByRole('button', { name: 'Export account' }).click();
  await expect(form.getByRole('alert')).toContainText('The two passphrases differ');

  await form.getByLabel('Confirm passphrase').fill('a long export passphrase');
  const log = requestLog(page);
  await form.getByRole('button', { name: 'Export account' }).click();
  const exports = page.getByRole('region', { name: 'Exports' });
  await expect(exports.getByRole('status')).toContainText('Export finished:', { timeout: 60_000 });
  const bar = exports.getByRole('progressbar', { name: 'Export progress' });
  await expect(bar).toHaveAttribute('aria-valuenow', (await bar.getAttribute('aria-valuemax'))!);
  // Followed through the job stream, not by reading the list again and again.
  log.followed();

  const download = page.waitForEvent('download');
  await exports.getByRole('link', { name: 'Download the export' }).click();
  const file = (await (await download).path())!;
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  for (const name of ['manifest.json', 'organizations.jsonl', 'configurations.jsonl', 'passwords.jsonl', 'users.jsonl']) {
    expect(bytes.includes(Buffer.from(name)), name).toBe(true);
  }

  // The activity log has it.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Activity log' }).click();
  await expect(page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Export' }) }).first())
    .toContainText('succeeded');
});
