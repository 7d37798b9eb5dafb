// What a browser downloads: Steward's WASM, JavaScript and CSS arrive compressed (the site build
// writes a .gz beside each file, a release build a .br too), and a client that accepts no
// compression still gets the very same files, whole. A browser asks again before each use
// (no-cache), and a copy it holds is confirmed with a 304.
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
    return { path: new URL(r.url()).pathname, status: r.status(), type: h['content-type'], encoding: h['content-encoding'], vary: h['vary'], cache: h['cache-control'] };
  }));
  const paths = seen.map((f) => f.path);
  expect(paths).toContain('/pkg/steward.wasm');
  expect(paths).toContain('/pkg/steward.js');
  expect(paths).toContain('/pkg/steward.css');
  // The page's island's own code came too (split off the main module), and arrived the same way.
  expect(paths.filter((p) => p.endsWith('.wasm')).length).toBeGreaterThan(1);
  for (const f of seen) {
    expect(f.status, f.path).toBe(200);
    expect(['gzip', 'br'], `${f.path}: ${f.encoding}`).toContain(f.encoding);
    expect(f.vary?.toLowerCase(), f.path).toContain('accept-encoding');
    // Asked about again at each use, so that an upgraded Steward is never hydrated by old code.
    expect(f.cache, f.path).toBe('no-cache');
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

  // A copy the browser already holds is confirmed, not sent again.
  const since = plain.headers()['last-modified'];
  expect(since).toBeTruthy();
  const again = await request.get('/pkg/steward.wasm', { headers: { 'If-Modified-Since': since } });
  expect(again.status()).toBe(304);
  expect((await again.body()).length).toBe(0);

  // Nothing but the site's files: a file that is not there, and a way out of the directory.
  for (const path of ['/pkg/nothing-here.wasm', '/pkg/..%2f..%2fCargo.toml', '/pkg/..%5c..%5cCargo.toml']) {
    const r = await request.get(path);
    expect(r.status(), path).toBe(404);
    expect(await r.text(), path).not.toContain('[workspace]');
  }
});
