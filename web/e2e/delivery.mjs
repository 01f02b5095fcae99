#!/usr/bin/env node
// Delivery journey in a real browser against a running Cairn server.
//
//   node e2e/delivery.mjs <base-url> <email> <password> <client-name>
//
// The user (who can see <client-name>) creates a project from the "PoC / Pilot" template and
// finds its milestones and tasks; edits a task's priority and status inline in the list and
// reloads to find them saved; drags a card from "To do" to "In progress", drags a second one
// above it, moves a third with the keyboard, and reloads to find all three where they were
// put; then captures "Draft kickoff agenda for <client> tomorrow !p1" from the header and
// opens the task it made. Exits 1 with a clear message on the first mismatch, on page errors
// and on CSP violations. Screenshots go to web/test-results/.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, '..', 'test-results');
const [baseArg, email, password, clientName] = process.argv.slice(2);
if (!baseArg || !email || !password || !clientName) {
  console.error('usage: node e2e/delivery.mjs <base-url> <email> <password> <client-name>');
  process.exit(2);
}
const base = baseArg.replace(/\/+$/, '');
const projectName = `Claims triage pilot ${Date.now().toString(36)}`;
mkdirSync(RESULTS, { recursive: true });

const problems = [];
let browser;

async function fail(page, message) {
  console.error(`delivery journey FAILED: ${message}`);
  if (page) {
    console.error(`  at URL: ${page.url()}`);
    try {
      await page.screenshot({ path: join(RESULTS, 'delivery-failure.png'), fullPage: true });
    } catch {
      // the page may be gone
    }
  }
  for (const p of problems) console.error(`  browser: ${p}`);
  if (browser) await browser.close();
  process.exit(1);
}

function check(page, ok, message) {
  return ok ? Promise.resolve() : fail(page, message);
}

browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
const page = await context.newPage();
page.setDefaultTimeout(15000);
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => {
  if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
});

await page.goto(`${base}/login`);
await page.fill('#email', email);
await page.fill('#password', password);
await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);

// (a) A project from the PoC / Pilot template brings its milestones and tasks.
await page.goto(`${base}/projects`);
await Promise.all([page.waitForURL(/\/projects\/new$/), page.keyboard.press('n')]);
await page.selectOption('#client_id', { label: clientName });
await page.fill('#name', projectName);
await page.selectOption('#template', 'poc-pilot');
await page.fill('#start_date', '2026-11-23');
await Promise.all([page.waitForURL(/\/projects\/[0-9a-f-]{36}\?/), page.click('button:has-text("Create project")')]);
const projectUrl = page.url().split('?')[0];
await check(page, (await page.locator('h1').textContent()).includes(projectName), 'the project page does not show the new project');
await check(page, (await page.locator('.crumbs').textContent()).includes(clientName), 'the project page does not link its client');
const milestones = await page.locator('#milestones tbody tr').allTextContents();
await check(page, milestones.length === 4, `expected the template's 4 milestones, found ${milestones.length}`);
await check(page, milestones[0].includes('Scope and success criteria agreed') && milestones[0].includes('2026-11-26'), `first milestone is not dated from the start: ${milestones[0]}`);
await check(page, (await page.locator('#team li').count()) === 3, 'the template\'s 3 role slots are missing');
await page.screenshot({ path: join(RESULTS, 'delivery-project.png'), fullPage: true });

await page.click('nav.tabs a:has-text("Tasks")');
await page.waitForURL(/\/tasks$/);
const rows = page.locator('table.tasks tbody tr[data-href]');
await check(page, (await rows.count()) === 13, `expected the template's 13 tasks, found ${await rows.count()}`);
await check(page, (await page.locator('table.tasks').textContent()).includes('Agree success criteria and metrics'), 'a template task is missing');

// Inline edit in the list: each control posts its field with htmx, the row is swapped for the
// saved one (with its new version), and the values hold after a reload.
const editable = rows.filter({ hasNotText: /Agree success criteria|Confirm data access|Set up the environment/ }).last();
const rowId = await editable.getAttribute('id');
const inRow = (name) => page.locator(`#${rowId} [name="${name}"]`);
async function inlineEdit(name, value) {
  const before = await page.locator(`#${rowId}`).getAttribute('hx-vals');
  // A row's picker holds only its current option until it is focused (cairn.js fills it
  // from the page's option template), as with a keyboard user tabbing in.
  await check(page, (await inRow(name).locator('option').count()) === 1, `the ${name} picker was sent with more than its current option`);
  await inRow(name).focus();
  await check(page, (await inRow(name).locator('option').count()) > 1, `focusing the ${name} picker did not fill its options`);
  const saved = page.waitForResponse((r) => r.url().endsWith('/inline') && r.request().method() === 'POST');
  await inRow(name).selectOption(value);
  const res = await saved;
  if (res.status() !== 200) await fail(page, `the inline ${name} edit answered ${res.status()}: ${await res.text()}`);
  // The saved row replaces the old one, with the next version to post.
  await page.waitForFunction(([id, b]) => document.querySelector(`#${id}`)?.getAttribute('hx-vals') !== b, [rowId, before]);
}
await inlineEdit('priority', 'p0');
await inlineEdit('status', 'blocked');
await page.reload();
await check(page, (await inRow('priority').inputValue()) === 'p0', `after reload the inline priority is ${await inRow('priority').inputValue()}`);
await check(page, (await inRow('status').inputValue()) === 'blocked', `after reload the inline status is ${await inRow('status').inputValue()}`);

// (b) The board: drag and drop across columns and within one, then a keyboard move.
await page.goto(`${projectUrl}/board`);
await page.waitForFunction(() => typeof window.Sortable === 'function');
const column = (status) => page.locator(`.board-list[data-status="${status}"]`);
const card = (status, title) => column(status).locator('.board-card', { hasText: title });
const titles = async (status) => (await column(status).locator('.board-card-title').allTextContents()).map((t) => t.trim());

async function drag(source, targetX, targetY) {
  const s = await source.boundingBox();
  const moved = page.waitForResponse((r) => r.url().endsWith('/board/move') && r.request().method() === 'POST');
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2);
  await page.mouse.down();
  await page.mouse.move(s.x + s.width / 2 + 12, s.y + s.height / 2 + 12, { steps: 4 });
  await page.mouse.move(targetX, targetY, { steps: 24 });
  await page.waitForTimeout(150);
  await page.mouse.up();
  const res = await moved;
  if (res.status() !== 204) await fail(page, `the move answered ${res.status()}: ${await res.text()}`);
}

const first = 'Agree success criteria and metrics';
const second = 'Confirm data access and security review';
const third = 'Set up the environment and repository';
const target = await column('in_progress').boundingBox();
await drag(card('todo', first), target.x + target.width / 2, target.y + 30);
await check(page, (await titles('in_progress')).join('|') === first, `after the drag In progress holds ${await titles('in_progress')}`);
// Drop the second card on the upper half of the first: it goes above it.
const firstBox = await card('in_progress', first).boundingBox();
await drag(card('todo', second), firstBox.x + firstBox.width / 2, firstBox.y + 6);
await check(page, (await titles('in_progress')).join('|') === [second, first].join('|'), `In progress is ${await titles('in_progress')}`);
await check(page, (await page.locator('.board-col-in_progress [data-count]').textContent()).trim() === '2', 'the column count did not follow');

// Keyboard: focus the third card, "]" moves it to the next column (top), Shift+Down moves it below.
await card('todo', third).focus();
let moved = page.waitForResponse((r) => r.url().endsWith('/board/move'));
await page.keyboard.press(']');
await check(page, (await moved).status() === 204, 'the keyboard move was refused');
await check(page, (await titles('in_progress'))[0] === third, `"]" did not move the card: ${await titles('in_progress')}`);
moved = page.waitForResponse((r) => r.url().endsWith('/board/move'));
await page.keyboard.press('Shift+ArrowDown');
await check(page, (await moved).status() === 204, 'the keyboard reorder was refused');

await page.reload();
const persisted = await titles('in_progress');
await check(page, persisted.join('|') === [second, third, first].join('|'), `after reload In progress is ${persisted.join(' | ')}`);
await check(page, !(await titles('todo')).includes(first), 'the dragged card is back in To do after reload');
await page.screenshot({ path: join(RESULTS, 'delivery-board.png'), fullPage: true });

// (c) Quick capture from the header.
await page.goto(`${base}/work`);
await page.locator('body').click({ position: { x: 5, y: 300 } });
await page.keyboard.press('c');
await check(page, await page.locator('.capture-input').evaluate((el) => el === document.activeElement), '"c" did not focus the capture box');
await page.keyboard.type(`Draft kickoff agenda for ${clientName} tomorrow !p1`);
await page.locator('#capture-panel .chip-client').waitFor();
const chips = await page.locator('#capture-panel .chip').allTextContents();
await check(page, chips.some((c) => c.includes(clientName)) && chips.some((c) => c.includes('p1')), `capture chips: ${chips.join(' / ')}`);
const dateChip = chips.find((c) => /\d{4}-\d{2}-\d{2}/.test(c));
await check(page, Boolean(dateChip), `no date chip in ${chips.join(' / ')}`);
const due = dateChip.match(/\d{4}-\d{2}-\d{2}/)[0];
await page.screenshot({ path: join(RESULTS, 'delivery-capture.png') });
await page.keyboard.press('Enter');
const saved = page.locator('#capture-panel .capture-saved a[data-capture-link]');
await saved.waitFor();
await check(page, (await page.locator('.capture-input').inputValue()) === '', 'the capture box was not cleared after saving');
await Promise.all([page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/), saved.click()]);
await check(page, (await page.locator('h1').textContent()).includes('Draft kickoff agenda'), 'the captured task has the wrong title');
await check(page, (await page.locator('.crumbs').textContent()).includes(clientName), 'the captured task is not filed under the client');
await check(page, (await page.locator('#due_date').inputValue()) === due, `the captured task is not due ${due}`);
await check(page, (await page.locator('#priority').inputValue()) === 'p1', 'the captured task is not p1');

if (problems.length) await fail(null, `browser problems: ${problems.length}`);
await browser.close();
console.log('delivery journey ok');
