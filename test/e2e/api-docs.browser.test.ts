import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { type InProcessCarve, startCarve } from '../support/carve-harness.js';
import { listen } from '../support/listen.js';

const ARTIFACTS = join(import.meta.dirname, '../../test-results');

describe('the API reference in a real browser', () => {
  let t: InProcessCarve;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;

  beforeAll(async () => {
    t = await startCarve('sqlite');
    server = await listen(t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.stop();
  });

  it('renders every public operation from /openapi.json, loading nothing from outside', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(server.url) && !req.url().startsWith('data:')) outside.push(req.url());
    });
    await page.goto(`${server.url}/docs`);
    await page.waitForSelector('.opblock', { timeout: 15_000 });
    const paths = await page.locator('.opblock-summary-path').allInnerTexts();
    const shown = paths.map((p) => p.replace(/\u200b/g, '').trim());
    expect(shown).toEqual(expect.arrayContaining(['/api/orders', '/api/identity/users', '/api/catalog/products/{id}']));
    expect(outside).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'api-docs.png'), fullPage: false });
  });
});
