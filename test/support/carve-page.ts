import type { Browser, Page } from 'playwright-core';
import { ADMIN, type TestCarve } from './carve-harness.js';
import { adminToken, createProduct, signUp } from './storefront-client.js';

/**
 * openCarvePage opens /_carve in the browser and signs in through its form, as a person
 * would, then waits for the graph to be drawn.
 *
 * @example const page = await openCarvePage(browser, server.url)
 */
export async function openCarvePage(browser: Browser, baseUrl: string, viewport = { width: 1440, height: 1000 }): Promise<Page> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  await page.goto(`${baseUrl}/_carve`);
  await page.locator('#login-form input[name=email]').fill(ADMIN.email);
  await page.locator('#login-form input[name=password]').fill(ADMIN.password);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#graph [data-module]').first().waitFor({ timeout: 15_000 });
  return page;
}

/**
 * keepOrdering places an order every `everyMs` in the background, so the page has live
 * traffic to show, until the returned stop() is awaited.
 *
 * @example const stop = await keepOrdering(t, 250); ...; await stop()
 */
export async function keepOrdering(t: TestCarve, everyMs = 250): Promise<() => Promise<number>> {
  const admin = await adminToken(t);
  const customer = await signUp(t, 'Grace');
  const product = await createProduct(t, admin, { stock: 100_000, priceCents: 1999, name: 'Carve mug' });
  let placed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const res = await t.request('POST', '/api/orders', {
        token: customer.token,
        body: { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_visa' },
      });
      if (res.status === 201) placed++;
      await res.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return placed;
  };
}
