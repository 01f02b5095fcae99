#!/usr/bin/env node
// CRM journey in a real browser against a running Cairn server.
//
//   node e2e/crm.mjs <base-url> <owner-email> <member-email> <password>
//
// The owner creates a client, adds a contact, logs a call, changes its status and tags from
// the list's row pickers, and restricts the client to nobody; the member then no longer sees
// it in the list, and its card answers 404.
// Exits 1 with a clear message on the first mismatch, on page errors and on CSP
// violations. Screenshots go to web/test-results/.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, '..', 'test-results');
const [baseArg, ownerEmail, memberEmail, password] = process.argv.slice(2);
if (!baseArg || !ownerEmail || !memberEmail || !password) {
  console.error('usage: node e2e/crm.mjs <base-url> <owner-email> <member-email> <password>');
  process.exit(2);
}
const base = baseArg.replace(/\/+$/, '');
const clientName = `Harbour Lights ${Date.now().toString(36)}`;
mkdirSync(RESULTS, { recursive: true });

const problems = [];
let browser;

async function fail(page, message) {
  console.error(`crm journey FAILED: ${message}`);
  if (page) {
    console.error(`  at URL: ${page.url()}`);
    try {
      await page.screenshot({ path: join(RESULTS, 'crm-failure.png'), fullPage: true });
    } catch {
      // the page may be gone
    }
  }
  for (const p of problems) console.error(`  browser: ${p}`);
  if (browser) await browser.close();
  process.exit(1);
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  return page;
}

async function login(page, email) {
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}

browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// The owner creates a client with a contact and a logged call.
const owner = await newPage();
await login(owner, ownerEmail);
await owner.goto(`${base}/clients`);
await Promise.all([owner.waitForURL(/\/clients\/new$/), owner.keyboard.press('n')]);
await owner.fill('#name', clientName);
await owner.selectOption('#status', 'active');
await owner.fill('#website', 'harbour-lights.example');
await Promise.all([owner.waitForURL(/\/clients\/[0-9a-f-]{36}$/), owner.click('form.form button[type=submit]')]);
const cardUrl = owner.url();
if (!(await owner.locator('h1').textContent()).includes(clientName)) await fail(owner, 'the card does not show the new client');

await owner.click('summary:has-text("Add contact")');
await owner.fill('#ct_name', 'Robin Quay');
await owner.fill('#ct_email', 'robin@harbour-lights.example');
await Promise.all([owner.waitForURL((u) => u.search.includes('notice=')), owner.click('button:has-text("Add contact")')]);
if (!(await owner.locator('text=Robin Quay').count())) await fail(owner, 'the contact is not on the card');

await owner.selectOption('select[name=kind]', 'call');
await owner.fill('#in_body', 'Discovery call: they want a new booking site by spring.');
await Promise.all([owner.waitForURL((u) => u.search.includes('notice=')), owner.click('button:has-text("Log interaction")')]);
if (!(await owner.locator('text=Discovery call').count())) await fail(owner, 'the call is not in the timeline');
await owner.screenshot({ path: join(RESULTS, 'crm-card.png'), fullPage: true });

// The list's row pickers arrive with their current value only; the status options and the
// tag boxes are copied in from the page on first use, and a change saves the row in place.
await owner.goto(`${base}/clients`);
const row = owner.locator('tr', { hasText: clientName });
const statusPicker = row.locator('select[name=status]');
if ((await statusPicker.locator('option').count()) !== 1) await fail(owner, 'the status picker was sent with every option');
await statusPicker.focus();
const saved = () => owner.waitForResponse((r) => r.url().includes('/inline') && r.request().method() === 'POST');
const [statusSave] = await Promise.all([saved(), statusPicker.selectOption('paused')]);
if (statusSave.status() !== 200) await fail(owner, `saving the status answered ${statusSave.status()}`);
await row.locator('select[name=status] option[value=paused]:checked').waitFor({ state: 'attached' });
// Until its boxes are in, the tag editor cannot save (an empty form would clear the tags).
if (!(await row.locator('button:has-text("Save tags")').isDisabled())) await fail(owner, 'the tag editor can save before its boxes are in');
await row.locator('summary:has-text("edit")').click();
await row.locator('label.check:has-text("Retainer") input').check();
const [tagSave] = await Promise.all([saved(), row.locator('button:has-text("Save tags")').click()]);
if (tagSave.status() !== 200) await fail(owner, `saving the tags answered ${tagSave.status()}`);
await row.locator('.pill:has-text("Retainer")').waitFor();
await owner.screenshot({ path: join(RESULTS, 'crm-list.png'), fullPage: true });

// The member sees it before it is restricted.
const member = await newPage();
await login(member, memberEmail);
await member.goto(`${base}/clients`);
if (!(await member.locator(`text=${clientName}`).count())) await fail(member, 'the member does not see the open client');

// Restrict it to nobody (owners and admins always see it).
await owner.goto(cardUrl);
await owner.selectOption('#visibility', 'restricted');
for (const box of await owner.locator('input[name=users]').all()) await box.uncheck();
await Promise.all([owner.waitForURL((u) => u.search.includes('notice=')), owner.click('button:has-text("Save access")')]);
if (!(await owner.locator('.pill-warn:has-text("restricted")').count())) await fail(owner, 'the client is not marked restricted');

await member.goto(`${base}/clients`);
if (await member.locator(`text=${clientName}`).count()) await fail(member, 'the restricted client still shows in the member\'s list');
const response = await member.goto(cardUrl);
if (response.status() !== 404) await fail(member, `the restricted card answered ${response.status()}, not 404`);
await member.screenshot({ path: join(RESULTS, 'crm-member-404.png') });

if (problems.length) await fail(null, `browser problems: ${problems.length}`);
await browser.close();
console.log('crm journey ok');
