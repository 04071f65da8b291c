// Takes the two screenshots of /_carve the README shows: a monolith, and the same
// storefront with payments extracted to its own process. Run: npx tsx scripts/screenshot-carve-page.ts
import 'reflect-metadata';
import { join } from 'node:path';
import { launchChromium } from '../test/support/browser.js';
import { type TestCarve, startCarve } from '../test/support/carve-harness.js';
import { keepOrdering, openCarvePage } from '../test/support/carve-page.js';
import { listen } from '../test/support/listen.js';

const DOCS = join(import.meta.dirname, '../docs');

async function shoot(t: TestCarve, baseUrl: string, file: string) {
  const stopOrdering = await keepOrdering(t, 150);
  const browser = await launchChromium();
  try {
    // Ten seconds of orders, so the rates and percentiles are steady.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const page = await openCarvePage(browser, baseUrl);
    await page.waitForTimeout(2_500);
    await page.screenshot({ path: join(DOCS, file), fullPage: true });
    console.warn(`wrote docs/${file}`);
  } finally {
    await browser.close();
    console.warn(`placed ${await stopOrdering()} orders`);
  }
}

const monolith = await startCarve('sqlite');
const server = await listen(monolith);
try {
  await shoot(monolith, server.url, 'carve-page-monolith.png');
} finally {
  await server.close();
  await monolith.stop();
}

const extracted = await startCarve({ name: 'payments extracted', runner: 'multi-process', dialect: 'mixed', extracted: ['payments'] });
try {
  await shoot(extracted, extracted.cluster!.gateway.url, 'carve-page-payments-extracted.png');
} finally {
  await extracted.stop();
}
