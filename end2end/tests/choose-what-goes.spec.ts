// Choosing exactly what goes and seeing exactly what went: View's filter by orphan reason and its
// Delete of only those, three organizations ticked by hand on the Organizations list, the
// confirmation as a real modal dialog (focus in and kept there, Escape, focus back), the result
// naming the records inside, and the activity log showing a pencil edit, a pause and a manual sync.
import { Page } from '@playwright/test';
import { Account, expect, fmt, openActions, signInAs, test } from './helpers';

const body = (page: Page) => page.getByRole('table').getByRole('rowgroup').nth(1);

/** Whether the focused element is inside the open dialog. */
const focusInDialog = (page: Page) => page.evaluate(() => !!document.activeElement?.closest('dialog[open]'));

async function viewOrphans(page: Page, account: Account, kind: string) {
  await page.goto(`/account/integrations/${account.integration}/manage-data/view?row=orphans&kind=${kind}`);
}

test('View deletes only the "Deleted in the PSA" configurations, through a real dialog', async ({ page, account }) => {
  await signInAs(page, account);
  await viewOrphans(page, account, 'configuration');
  const filter = page.getByRole('group', { name: 'Filter by orphan reason' });
  const chips = await filter.getByRole('button').allTextContents();
  const counts = new Map(chips.map((c) => [c.replace(/: [\d,]+$/, ''), Number(c.replace(/^.*: /, '').replace(/,/g, ''))]));
  const n = counts.get('Deleted in the PSA')!;
  expect(n).toBeGreaterThan(0);
  expect(counts.size, 'other reasons than the one deleted').toBeGreaterThan(2);

  await filter.getByRole('button', { name: /^Deleted in the PSA: / }).click();
  await expect(filter.getByRole('button', { name: /^Deleted in the PSA: / })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText(`${fmt(n)} items with this orphan reason`)).toBeVisible();
  const reasons = await body(page).getByRole('row').evaluateAll((rows) => rows.map((r) => r.children[6]?.textContent));
  expect(new Set(reasons)).toEqual(new Set(['Deleted in the PSA']));

  const del = page.getByRole('button', { name: `Delete all ${fmt(n)} filtered configurations` });
  await del.click();
  const dialog = page.getByRole('dialog', { name: `Delete ${fmt(n)} orphaned configurations (Deleted in the PSA)?` });
  await expect(dialog).toBeVisible();
  // Focus moves in (to Cancel) and stays in, both ways round.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    expect(await focusInDialog(page)).toBe(true);
  }
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await focusInDialog(page)).toBe(true);
  }
  // The page behind is inert: a click there does nothing while the dialog is open.
  await page.mouse.click(5, 5);
  await expect(dialog).toBeVisible();
  // Escape closes it, and focus returns to the button that opened it.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(del).toBeFocused();

  await del.click();
  await expect(dialog).toContainText(/Restorable from Account > Removals until \d{4}-\d{2}-\d{2}/);
  await dialog.getByRole('button', { name: `Delete ${fmt(n)} configurations`, exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('region', { name: 'Removal' }).getByRole('status'))
    .toContainText(`Removal finished: ${fmt(n)} configurations deleted.`, { timeout: 60_000 });

  // Only that reason went: every other reason keeps its count.
  await viewOrphans(page, account, 'configuration');
  await expect(filter.getByRole('button', { name: /^Deleted in the PSA: / })).toHaveCount(0);
  for (const [reason, count] of counts) {
    if (reason === 'Deleted in the PSA') continue;
    if (reason === 'All reasons') {
      await expect(filter.getByRole('button', { name: `All reasons: ${fmt(count - n)}` })).toBeVisible();
    } else {
      await expect(filter.getByRole('button', { name: `${reason}: ${fmt(count)}` })).toBeVisible();
    }
  }
});

test('three organizations ticked by hand are deleted with what is inside them, and nothing else', async ({ page, account }) => {
  await signInAs(page, account);
  await page.goto('/organizations?q=sync+status%3A+orphaned');
  // An empty search is never one Delete away from everything; a search is.
  const rows = body(page).getByRole('row');
  const total = Number((await page.getByText(/^[\d,]+–[\d,]+ of [\d,]+$/).textContent())!.replace(/^.* of /, '').replace(/,/g, ''));
  const names: string[] = [];
  for (let i = 0; i < 3; i++) {
    const name = (await rows.nth(i).getByRole('rowheader').textContent())!.trim();
    names.push(name);
    await rows.nth(i).getByRole('checkbox', { name: `Select ${name}` }).check();
  }
  await page.getByRole('button', { name: 'Delete 3 ticked' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete 3 ticked organizations?' });
  await expect(dialog).toContainText('With them goes everything inside them');
  const confirm = dialog.getByRole('button', { name: /^Delete 3 organizations/ });
  const label = (await confirm.textContent())!;
  const inside = Number((label.match(/and ([\d,]+) records? inside them/)?.[1] ?? '0').replace(/,/g, ''));
  await confirm.click();
  const status = page.getByRole('region', { name: 'Removal' }).getByRole('status');
  await expect(status).toContainText('Removal finished: 3 organizations', { timeout: 60_000 });
  if (inside > 0) await expect(status).toContainText(`and ${fmt(inside)} record`);
  // The list is read again: exactly those three went.
  await expect(page.getByText(new RegExp(`^[\\d,]+–[\\d,]+ of ${fmt(total - 3)}$`))).toBeVisible();
  for (const name of names) await expect(body(page).getByRole('rowheader', { name, exact: true })).toHaveCount(0);

  await page.goto('/organizations');
  await expect(page.getByRole('checkbox', { name: /^Select all/ })).toHaveCount(0);
  // A tick made and taken back (each waits for the box to work) leaves Delete disabled.
  const box = body(page).getByRole('row').first().getByRole('checkbox');
  await box.check();
  await expect(page.getByRole('button', { name: 'Delete 1 ticked' })).toBeEnabled();
  await box.uncheck();
  await expect(page.getByRole('button', { name: 'Delete', exact: true })).toBeDisabled();
});

test('the activity log shows a pencil edit, a pause and a manual sync, in words', async ({ page, account }) => {
  await signInAs(page, account);
  // The pencil, written back to the PSA.
  const customers = account.expected.synced_items.find((r) => r.type_or_status === 'Type: Customer')!;
  const md = `/account/integrations/${account.integration}/manage-data`;
  await page.goto(md);
  const tr = page.getByRole('region', { name: 'Synced Items' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Organizations', exact: true }) })
    .filter({ has: page.getByRole('cell', { name: 'Type: Customer', exact: true }) });
  await tr.getByRole('button', { name: 'Actions' }).click();
  await tr.getByRole('menuitem', { name: 'View' }).click();
  await expect(page.getByText(`${fmt(customers.total)} items`)).toBeVisible();
  const first = body(page).getByRole('row').first();
  const name = (await first.getByRole('rowheader').textContent())!;
  await first.getByRole('button', { name: 'Edit type and status' }).click();
  await first.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Vendor' });
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toContainText(`Saved ${name} in the PSA and here.`);

  // Pause Sync says what it did; then a manual sync after Resume Sync.
  await page.goto('/account/integrations');
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Pause Sync' }).click();
  await expect(page.getByRole('status')).toContainText('Sync paused for ConnectWise Manage: no new sync starts until Resume Sync');
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Resume Sync' }).click();
  await expect(page.getByRole('status')).toContainText('Sync resumed for ConnectWise Manage');
  await openActions(page);
  await page.getByRole('menuitem', { name: 'Start Manual Sync' }).click();
  await expect(page.getByRole('status')).toContainText(/Sync (succeeded|completed with)/, { timeout: 60_000 });

  await page.goto('/account/activity');
  const entries = page.getByRole('table').getByRole('row').filter({ has: page.getByRole('cell') });
  const edit = entries.filter({ has: page.getByRole('rowheader', { name: 'Type or status changed' }) });
  await expect(edit).toContainText(name);
  await expect(edit).toContainText('type: Customer → Vendor');
  await expect(edit).toContainText('written to: the PSA and Steward');
  await expect(entries.filter({ has: page.getByRole('rowheader', { name: 'Sync paused' }) })).toContainText('state: Active → Paused');
  await expect(entries.filter({ has: page.getByRole('rowheader', { name: 'Sync resumed' }) })).toContainText('state: Paused → Active');
  await expect(entries.filter({ has: page.getByRole('rowheader', { name: 'Manual sync started' }) })).toContainText('sync: full, started by hand');
});

test('View of a type filters by sync state: the chip shows exactly its items', async ({ page, account }) => {
  const row = account.expected.synced_items.find((r) => r.item === 'Configurations' && r.type_or_status === 'Type: Workstation')!;
  await signInAs(page, account);
  await page.goto(`/account/integrations/${account.integration}/manage-data`);
  const tr = page.getByRole('region', { name: 'Synced Items' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'Configurations', exact: true }) })
    .filter({ has: page.getByRole('cell', { name: 'Type: Workstation', exact: true }) });
  await tr.getByRole('button', { name: 'Actions' }).click();
  await tr.getByRole('menuitem', { name: 'View' }).click();
  const chips = page.getByRole('group', { name: 'Filter by sync state' });
  await expect(chips.getByRole('button', { name: `All: ${fmt(row.total)}` })).toHaveAttribute('aria-pressed', 'true');
  await chips.getByRole('button', { name: `Orphaned: ${fmt(row.orphaned)}` }).click();
  await expect(page.getByText(`${fmt(row.orphaned)} items: Orphaned`)).toBeVisible();
  await expect(body(page).getByRole('img', { name: 'Sync enabled' })).toHaveCount(0);
  await expect(body(page).getByRole('img', { name: 'Orphaned' }).first()).toBeVisible();
});
