// Every page at 1440 and 390 px wide, into docs/screenshots/ (run by screenshots.config.ts).
import * as path from 'node:path';
import { expect, hydrated, signInAs, test } from '../tests/helpers';

const out = process.env.SHOTS_DIR ?? path.resolve(__dirname, '../../docs/screenshots');
const ext = process.env.SHOTS_DIR ? 'png' : 'jpeg';
const q = process.env.SHOTS_DIR ? {} : { quality: 60 };

test('every page, at desktop and phone width', async ({ page, account }) => {
  test.setTimeout(600_000);
  const id = account.integration;
  const pages: [string, string][] = [
    ['integrations', '/account/integrations'],
    ['manage-data', `/account/integrations/${id}/manage-data`],
    ['view-orphaned-configurations', `/account/integrations/${id}/manage-data/view?row=orphans&kind=configuration`],
    ['disconnected', `/account/integrations/${id}/manage-data/disconnected?kind=configuration`],
    ['logs', `/account/integrations/${id}/logs`],
    ['configuration', `/account/integrations/${id}/configuration`],
    ['credentials', `/account/integrations/${id}/credentials`],
    ['add-integration', '/account/integrations/new'],
    ['users', '/account/users'],
    ['password', '/account/password'],
    ['export', '/account/export'],
    ['removals', '/account/removals'],
    ['activity', '/account/activity'],
    ['organizations', '/organizations?q=sync+status%3A+orphaned'],
    ['configurations', '/configurations'],
  ];
  for (const [width, height, tag] of [[1440, 900, 'desktop'], [390, 844, 'phone']] as const) {
    await page.setViewportSize({ width, height });
    await page.goto('/login');
    await hydrated(page);
    await page.screenshot({ path: `${out}/${tag}-login.${ext}`, ...q });
    if (!account.signedIn || tag === 'desktop') await signInAs(page, account);
    for (const [name, url] of pages) {
      await page.goto(url);
      await hydrated(page);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await page.screenshot({ path: `${out}/${tag}-${name}.${ext}`, ...q, fullPage: true });
    }
    // The Delete dialog of View's "Deleted in the PSA" filter.
    await page.goto(pages[2][1]);
    await hydrated(page);
    await page.getByRole('button', { name: /^Deleted in the PSA: / }).click();
    await page.getByRole('button', { name: /^Delete all .* filtered configurations$/ }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await page.screenshot({ path: `${out}/${tag}-delete-dialog.${ext}`, ...q });
  }
});
