// The Organizations and Configurations lists: plug per item, search by name, pages of 50.
import { expect, hydrated, signInAs, test } from './helpers';

test('Organizations can be searched by name and show their plug', async ({ page, account }) => {
  await signInAs(page, account);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Organizations' })).toBeVisible();
  await expect(page.getByText(/^1–50 of 120$/)).toBeVisible();
  const firstName = await page.getByRole('rowheader').first().textContent();
  const word = firstName!.split(' ')[0];

  await page.getByRole('searchbox', { name: 'Search' }).fill(word.toLowerCase());
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`q=${word.toLowerCase()}`));
  await hydrated(page);
  const rows = page.getByRole('rowheader');
  await expect(rows.first()).toContainText(word);
  for (const name of await rows.allTextContents()) {
    expect(name.toLowerCase()).toContain(word.toLowerCase());
  }
  // Every row has a plug or is stand-alone; the demo has orphaned organizations among them or not,
  // but a plug always carries its accessible name.
  const plugs = page.getByRole('table').getByRole('img');
  for (const name of await plugs.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))) {
    expect(['Sync enabled', 'Sync disabled', 'Orphaned', 'Sync error']).toContain(name);
  }
});

test('Configurations are listed 50 to a page', async ({ page, account }) => {
  await signInAs(page, account);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Configurations' }).click();
  await expect(page.getByText(/^1–50 of [\d,]+$/)).toBeVisible();
  await expect(page.getByRole('table').getByRole('row')).toHaveCount(51);
  await expect(page.getByRole('table').getByRole('img', { name: 'Orphaned' }).first()).toBeVisible();
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page.getByText(/^51–100 of [\d,]+$/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Previous page' })).toBeVisible();
});

test('the Configurations list hides inactive orphans unless asked', async ({ page, account }) => {
  await signInAs(page, account);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Configurations' }).click();
  const total = async () => Number((await page.getByText(/^1–50 of [\d,]+$/).textContent())!.split(' of ')[1].replace(/,/g, ''));
  await expect(page.getByText(/^1–50 of [\d,]+$/)).toBeVisible();
  const hidden = await total();
  const box = page.getByRole('checkbox', { name: 'Show inactive orphans' });
  await expect(box).not.toBeChecked();
  await box.check();
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/inactive=1/);
  await expect(page.getByRole('checkbox', { name: 'Show inactive orphans' })).toBeChecked();
  await expect.poll(total).toBeGreaterThan(hidden);
  // Paging keeps the choice.
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/inactive=1/);
});
