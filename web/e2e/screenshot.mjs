#!/usr/bin/env node
// Ad-hoc screenshot of one page with headless Chromium.
//
//   node e2e/screenshot.mjs <url> <out.png> [cookie-name=value] [--mobile] [--full]
//
// Desktop viewport is 1280x800; --mobile uses 375x812 with touch. The
// optional cookie (e.g. a session cookie copied from a browser) is set for
// the URL's host before loading. --full captures the whole scrollable page.
// Console errors (CSP violations included) are printed to stderr.
// Chromium: $CHROMIUM_PATH or /usr/bin/chromium.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const [url, out, cookie] = args.filter((a) => !a.startsWith('--'));
if (!url || !out) {
  console.error('usage: node e2e/screenshot.mjs <url> <out.png> [cookie-name=value] [--mobile] [--full]');
  process.exit(2);
}

const mobile = flags.has('--mobile');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

try {
  const context = await browser.newContext(
    mobile
      ? { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
      : { viewport: { width: 1280, height: 800 } },
  );
  if (cookie) {
    const eq = cookie.indexOf('=');
    if (eq <= 0) throw new Error(`cookie must be name=value, got "${cookie}"`);
    await context.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url }]);
  }
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.error(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`));

  const res = await page.goto(url, { waitUntil: 'networkidle', timeout: 20000 });
  if (res && !res.ok()) console.error(`warning: HTTP ${res.status()} for ${url}`);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: flags.has('--full') });
  console.log(`saved ${out} (${page.url()})`);
} catch (err) {
  console.error(`screenshot failed: ${err.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
