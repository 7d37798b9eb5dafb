// What a browser downloads: Steward's WASM, JavaScript and CSS arrive compressed (the site build
// writes a .gz beside each file, a release build a .br too), and a client that accepts no
// compression still gets the very same files, whole.
import { test, expect } from '@playwright/test';
import { hydrated } from './helpers';

test('the sign-in page arrives with its WASM, JavaScript and CSS compressed', async ({ page }) => {
  const files: import('@playwright/test').Response[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/pkg/')) files.push(r);
  });
  await page.goto('/login');
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();

  const seen = await Promise.all(files.map(async (r) => {
    const h = await r.allHeaders();
    return { path: new URL(r.url()).pathname, status: r.status(), type: h['content-type'], encoding: h['content-encoding'], vary: h['vary'] };
  }));
  const paths = seen.map((f) => f.path);
  expect(paths).toContain('/pkg/steward.wasm');
  expect(paths).toContain('/pkg/steward.js');
  expect(paths).toContain('/pkg/steward.css');
  // The page's own group of code came too (split off the main module), and arrived the same way.
  expect(paths.filter((p) => p.endsWith('.wasm')).length).toBeGreaterThan(1);
  for (const f of seen) {
    expect(f.status, f.path).toBe(200);
    expect(['gzip', 'br'], `${f.path}: ${f.encoding}`).toContain(f.encoding);
    expect(f.vary?.toLowerCase(), f.path).toContain('accept-encoding');
  }
  expect(seen.find((f) => f.path === '/pkg/steward.wasm')!.type).toBe('application/wasm');
});

test('a client that accepts no compression gets the same WASM, whole', async ({ request }) => {
  const plain = await request.get('/pkg/steward.wasm', { headers: { 'Accept-Encoding': 'identity' } });
  expect(plain.status()).toBe(200);
  expect(plain.headers()['content-encoding']).toBeUndefined();
  const raw = await plain.body();
  // "\0asm": a WebAssembly module, not a compressed stream.
  expect([...raw.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
  expect(Number(plain.headers()['content-length'])).toBe(raw.length);

  const gzipped = await request.get('/pkg/steward.wasm', { headers: { 'Accept-Encoding': 'gzip' } });
  expect(gzipped.headers()['content-encoding']).toBe('gzip');
  // Smaller on the wire, the same module once unpacked (Playwright unpacks it).
  expect(Number(gzipped.headers()['content-length'])).toBeLessThan(raw.length);
  expect((await gzipped.body()).equals(raw)).toBe(true);
});
