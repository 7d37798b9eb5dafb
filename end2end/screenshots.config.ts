// Screenshots of every page at 1440 and 390 px wide, for reviewing the screens (not a test):
// `npx playwright test -c screenshots.config.ts` writes them to docs/screenshots/.
import config from './playwright.config';
import { defineConfig } from '@playwright/test';

export default defineConfig({ ...config, testDir: './screenshots', workers: 1 });
