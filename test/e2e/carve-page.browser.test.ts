import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { type TestCarve, startCarve } from '../support/carve-harness.js';
import { keepOrdering, openCarvePage } from '../support/carve-page.js';

const ARTIFACTS = join(import.meta.dirname, '../../test-results');

describe('the /_carve page in a real browser, with payments in a process of its own', () => {
  let t: TestCarve;
  let browser: Browser;
  let stopOrdering: (() => Promise<number>) | undefined;

  beforeAll(async () => {
    t = await startCarve({ name: 'payments extracted', runner: 'multi-process', dialect: 'mixed', extracted: ['payments'] });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await stopOrdering?.();
    await browser?.close();
    await t?.stop();
  });

  it('signs an admin in, draws payments as remote at its URL, and shows orders calling it live', async () => {
    // Orders keep coming while the page is open, so the 30 s window always holds some.
    stopOrdering = await keepOrdering(t, 200);
    const page = await openCarvePage(browser, t.cluster!.gateway.url);

    const payments = page.locator('#graph [data-module="payments"][data-mode="remote"]');
    await expect.poll(() => payments.count()).toBe(1);
    const paymentsUrl = t.cluster!.services.get('payments')!.url;
    expect(await payments.getAttribute('data-url')).toBe(paymentsUrl);
    expect(await payments.textContent()).toContain(paymentsUrl);
    expect(await page.locator('#graph [data-module="orders"]').getAttribute('data-mode')).toBe('in-process');

    // The page polls every two seconds: wait for a refresh that has seen the orders.
    const edge = page.locator('#graph [data-edge="orders->payments"][data-kind="port"]');
    await expect.poll(async () => Number(await edge.getAttribute('data-rate')), { timeout: 20_000, interval: 500 }).toBeGreaterThan(0);
    expect(await page.locator('[data-edge-label="orders->payments"]').textContent()).toMatch(/over HTTP.*p50 \S+ (ms|µs)/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'carve-page.png'), fullPage: true });
    expect(await stopOrdering()).toBeGreaterThan(0);
    stopOrdering = undefined;
  });

  it('sends a signed-out visitor to the sign-in form, and refuses the topology without a token', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.cluster!.gateway.url}/_carve`);
    await page.locator('#login-form').waitFor();
    expect(await page.locator('#view').isHidden()).toBe(true);
    const res = await fetch(`${t.cluster!.gateway.url}/_carve/api/topology`);
    expect(res.status).toBe(401);
  });
});
