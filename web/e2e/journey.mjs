#!/usr/bin/env node
// End-to-end journey through a running Cairn server with a real browser.
//
//   node e2e/journey.mjs <base-url> <setup-path-or-url>
//   e.g. node e2e/journey.mjs http://127.0.0.1:8080 /setup?token=abc
//
// setup -> (login) -> dashboard -> create API token -> call /api/v1/me with
// it -> logout. Exits 1 with a clear message on the first mismatch, and also
// on uncaught page errors, CSP violations and failed /assets/ requests (set
// JOURNEY_ALLOW_CSP=1 to only warn about CSP). Screenshots go to
// web/test-results/. Chromium: $CHROMIUM_PATH or /usr/bin/chromium.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, '..', 'test-results');
const TIMEOUT_MS = Number(process.env.JOURNEY_TIMEOUT_MS || 15000);

const [baseArg, setupArg] = process.argv.slice(2);
if (!baseArg || !setupArg) {
  console.error('usage: node e2e/journey.mjs <base-url> <setup-path-or-url>');
  process.exit(2);
}
const base = baseArg.replace(/\/+$/, '');
const setupUrl = new URL(setupArg, base + '/').toString();

const stamp = Date.now().toString(36);
const user = {
  workspace: `Journey ${stamp}`,
  name: 'Jo Urney',
  email: `journey-${stamp}@example.test`,
  password: `Cairn-journey-${stamp}-correct-horse!`,
};

mkdirSync(RESULTS, { recursive: true });

const problems = []; // page errors, CSP violations, broken assets
let browser;
let page;

async function fail(message) {
  console.error(`journey FAILED: ${message}`);
  if (page) {
    console.error(`  at URL: ${page.url()}`);
    try {
      const h1 = await page.locator('h1').first().textContent({ timeout: 1000 });
      if (h1) console.error(`  page h1: ${h1.trim()}`);
      const errors = await page.locator('.field-error, .flash-err').allTextContents();
      for (const e of errors) console.error(`  page error: ${e.trim()}`);
      const shot = join(RESULTS, 'failure.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.error(`  screenshot: ${shot}`);
    } catch {
      // Best effort: the page may be gone.
    }
  }
  for (const p of problems) console.error(`  browser: ${p}`);
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}

function pathOf(url) {
  return new URL(url).pathname;
}

async function step(name, fn) {
  try {
    await fn();
  } catch (err) {
    await fail(`${name}: ${err && err.message ? err.message.split('\n')[0] : err}`);
  }
}

function checkProblems(where) {
  const fatal = problems.filter((p) => !(p.startsWith('CSP') && process.env.JOURNEY_ALLOW_CSP));
  if (fatal.length) return fail(`browser reported problems (${where}):\n    ${fatal.join('\n    ')}`);
  return null;
}

// Submits the form containing `fieldSelector` and waits for the navigation.
async function submitFormOf(fieldSelector) {
  const form = page.locator('form', { has: page.locator(fieldSelector) }).first();
  await Promise.all([
    page.waitForNavigation({ timeout: TIMEOUT_MS }),
    form.locator('button[type=submit]').first().click(),
  ]);
}

try {
  browser = await chromium.launch({
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
} catch (err) {
  await fail(`cannot launch Chromium (set CHROMIUM_PATH?): ${err.message.split('\n')[0]}`);
}

const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
context.setDefaultTimeout(TIMEOUT_MS);
page = await context.newPage();

page.on('pageerror', (err) => problems.push(`uncaught error on ${page.url()}: ${err.message}`));
page.on('console', (msg) => {
  const text = msg.text();
  if (msg.type() === 'error' && /Content Security Policy/i.test(text)) {
    problems.push(`CSP violation on ${page.url()}: ${text}`);
  }
});
page.on('response', (res) => {
  if (res.url().includes('/assets/') && res.status() >= 400) {
    problems.push(`asset ${res.url()} -> HTTP ${res.status()}`);
  }
});
// Any data-confirm dialogs (e.g. on logout) are accepted.
page.on('dialog', (d) => d.accept());

// 1. First-run setup.
await step(`open setup page ${setupUrl}`, async () => {
  const res = await page.goto(setupUrl);
  if (!res || !res.ok()) throw new Error(`HTTP ${res ? res.status() : 'no response'}`);
});
await step('fill setup form', async () => {
  await page.fill('#workspace', user.workspace);
  await page.fill('#name', user.name);
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  await page.fill('#password_confirm', user.password);
});
await step('submit setup form', () => submitFormOf('#password_confirm'));

// 2. Login if setup did not sign us in.
let landed = pathOf(page.url());
if (landed === '/login') {
  await step('log in', async () => {
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await submitFormOf('#password');
  });
  landed = pathOf(page.url());
}
if (landed !== '/') await fail(`expected the dashboard (/) after setup/login, got ${landed}`);

// 3. Dashboard.
await step('dashboard', async () => {
  const h1 = ((await page.locator('h1').first().textContent()) || '').trim();
  if (!h1.includes('Good') && !h1.includes(user.workspace)) {
    throw new Error(`h1 is "${h1}", expected a greeting ("Good ...") or "${user.workspace}"`);
  }
  if ((await page.locator('.stat').count()) === 0) throw new Error('no .stat element on the dashboard');
  await page.screenshot({ path: join(RESULTS, 'dashboard.png'), fullPage: true });
});
await checkProblems('dashboard');

// 4. Create an API token.
let token = '';
await step('open /settings/tokens', async () => {
  const res = await page.goto(`${base}/settings/tokens`);
  if (!res || !res.ok()) throw new Error(`HTTP ${res ? res.status() : 'no response'}`);
});
await step('create token', async () => {
  await page.fill('#token_name', 'journey');
  await page.selectOption('#token_scope', 'read_write');
  // Works whether the form does a full POST or an htmx swap in place.
  const form = page.locator('form', { has: page.locator('#token_name') }).first();
  await form.locator('button[type=submit]').first().click();
  await page.locator('.secret-once code').first().waitFor({ state: 'visible' });
  await page.waitForLoadState();
  token = ((await page.locator('.secret-once code').first().textContent()) || '').trim();
  if (!token) throw new Error('no token text in .secret-once code');
  await page.screenshot({ path: join(RESULTS, 'tokens.png'), fullPage: true });
});
await checkProblems('tokens page');

// 5. Use the token against the API, outside the browser (no cookies).
await step('GET /api/v1/me with the token', async () => {
  const res = await fetch(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${body.slice(0, 300)}`);
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`response is not JSON: ${body.slice(0, 300)}`);
  }
  const email = json && json.user && json.user.email;
  if (email !== user.email) throw new Error(`user.email is ${JSON.stringify(email)}, expected ${user.email}`);
});

// 6. Log out (the button may sit inside the closed user menu).
await step('log out', async () => {
  const button = page.locator('form[action="/logout"] button').first();
  if (!(await button.isVisible())) {
    const summary = page.locator('.user-menu > summary').first();
    if (await summary.count()) await summary.click();
  }
  await Promise.all([page.waitForNavigation({ timeout: TIMEOUT_MS }), button.click()]);
  if (!page.url().replace(/[?#].*$/, '').endsWith('/login')) {
    throw new Error(`expected to end on /login, got ${page.url()}`);
  }
});
await checkProblems('logout');

await browser.close();
console.log(`user ${user.email}; screenshots in ${RESULTS}`);
console.log('journey ok');
