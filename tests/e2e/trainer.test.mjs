// End-to-end test of trainer mode: `groundswell serve` on a free loopback
// port, the page in Debian's headless Chromium (driven by playwright-core),
// two strategies run side by side. Every wait is bounded; the server and the
// browser are ended in `after` whatever happens.
//
//   GROUNDSWELL_BINARY  the groundswell executable (default: build/sim/groundswell)
//   GROUNDSWELL_E2E_OUT where the screenshot goes (default: build/e2e)
//   CHROMIUM            the browser (default: /usr/bin/chromium)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = process.env.GROUNDSWELL_BINARY || path.join(root, 'build/sim/groundswell');
const outDir = process.env.GROUNDSWELL_E2E_OUT || path.join(root, 'build/e2e');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';

let server = null;
let serverExit = null;
let base = null;
let context = null;
let userDataDir = null;
const offsite = [];      // requests to anything but the server: must stay empty
const pageErrors = [];   // console errors and uncaught exceptions: must stay empty

/** Starts the server on a free port and resolves with its address. */
function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(binary, ['serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    serverExit = new Promise((done) => server.on('exit', (code, signal) => done({ code, signal })));
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server printed no address in 10 s: ${out}`)), 10_000);
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    server.stderr.on('data', (chunk) => { out += chunk; });
    server.on('error', (e) => { clearTimeout(timer); reject(e); });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}): ${out}`)); });
  });
}

before(async () => {
  assert.ok(fs.existsSync(binary), `no groundswell binary at ${binary}; build first`);
  assert.ok(fs.existsSync(browserPath), `no Chromium at ${browserPath}; run scripts/install-deps.sh`);
  base = await startServer();
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundswell-e2e-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: browserPath,
    headless: true,
    timeout: 20_000,
    viewport: { width: 1600, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(15_000);
  // The page must work offline: anything not addressed to our server is refused and recorded.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === new URL(base).origin) return route.continue();
    offsite.push(url.href);
    return route.abort();
  });
});

after(async () => {
  if (context) await context.close().catch(() => {});
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
    await serverExit;
    clearTimeout(timer);
  }
});

/** Reads numbers the page publishes on a side's element. */
async function sideData(page, side) {
  return page.locator(`#side-${side}`).evaluate((e) => ({ ...e.dataset }));
}

/** How many people of a side are drawn in `color` (the computed fill, as rendered). */
async function countPainted(page, side, color) {
  return page.locator(`#side-${side} svg.org .node`).evaluateAll(
    (nodes, c) => nodes.filter((n) => getComputedStyle(n).fill === c).length, color);
}

async function setWeek(page, week) {
  await page.locator('#week').fill(String(week));
  await page.waitForFunction((w) => document.body.dataset.week === String(w), week);
}

test('two strategies animate and draw their curves in headless Chromium', { timeout: 90_000 }, async () => {
  const page = await context.newPage();
  page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // The console says only "status of 404"; record which request it was.
  page.on('response', (r) => { if (r.status() >= 400) pageErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`); });

  await page.goto(base, { timeout: 15_000 });
  await page.waitForFunction(() => document.body.dataset.ready === 'yes');
  await page.locator('#side-a .preset').selectOption('top_down');
  await page.locator('#side-b .preset').selectOption('distributed');
  // Changing the number of runs starts both strategies afresh.
  await page.locator('#trials').selectOption('100');

  // Both curves and both animations arrive.
  await page.waitForFunction(() => ['a', 'b'].every((s) => {
    const e = document.getElementById(`side-${s}`);
    return e.dataset.status === 'done' && e.dataset.animation === 'ready' && e.dataset.trials === '100';
  }), null, { timeout: 30_000 });

  for (const side of ['a', 'b']) {
    const s = page.locator(`#side-${side}`);
    assert.equal(await s.locator('svg.org .node').count(), 400, `side ${side}: one mark per person`);
    assert.equal(await s.locator('svg.org .dept-label').count(), 7, `side ${side}: seven departments`);
    assert.equal(await s.locator('svg.chart path.median').count(), 3, `side ${side}: median curves`);
    assert.equal(await s.locator('svg.chart path.band').count(), 3, `side ${side}: bands`);
    assert.match(await s.locator('.progress').textContent(), /100 runs/);
    assert.ok(await s.locator('.error').isHidden(), `side ${side}: no error shown`);
  }
  // Formal leaders are squares, champions are ringed, the mandate's issuer is marked.
  assert.equal(await page.locator('#side-a svg.org .node.leader').count(), 57);
  assert.equal(await page.locator('#side-a svg.org .issuer-mark').count(), 1);
  assert.equal(await page.locator('#side-a svg.org .champion-mark').count(), 0);
  assert.equal(await page.locator('#side-b svg.org .champion-mark').count(), 8);

  // The captions tell the story in plain words.
  const captionA = await page.locator('#side-a .caption').textContent();
  const captionB = await page.locator('#side-b .caption').textContent();
  assert.match(captionA, /Compliance peaked at \d+% in week \d+ and lapsed/);
  assert.match(captionB, /^Internalized \(own conviction\) passed 50% at week \d+/);
  assert.match(captionB, /Median of 100 runs/);
  const verdict = await page.locator('#verdict').textContent();
  assert.match(verdict, /^After 104 weeks, B \(Distributed champions with a coalition\) has \d+% internalized/);
  const ends = await page.locator('svg.chart .end-label').allTextContents();
  assert.equal(ends.length, 6);

  // Week 0: nobody complies yet; champions have internalized on side B.
  assert.equal(await page.locator('#week').inputValue(), '0');
  let a = await sideData(page, 'a');
  let b = await sideData(page, 'b');
  assert.equal(Number(a.complying), 0);
  assert.equal(Number(b.internalized), 8);

  // Play advances both animations; pause holds them.
  await page.locator('#play').click();
  await page.waitForFunction(() => Number(document.body.dataset.week) >= 12, null, { timeout: 10_000 });
  await page.locator('#play').click();
  const paused = await page.evaluate(() => document.body.dataset.week);
  await page.waitForTimeout(400);
  assert.equal(await page.evaluate(() => document.body.dataset.week), paused, 'pause holds the week');

  // Week 10: the mandate has people complying on side A; nobody can comply without pressure on side B.
  await setWeek(page, 10);
  a = await sideData(page, 'a');
  b = await sideData(page, 'b');
  assert.ok(Number(a.complying) > 40, `side A complying at week 10: ${a.complying}`);
  assert.equal(Number(b.complying), 0);
  // The colours on screen are the states: count the marks painted amber.
  assert.equal(await countPainted(page, 'a', 'rgb(230, 159, 0)'), Number(a.complying));

  // Week 104: distributed leadership has spread through most of this run.
  await setWeek(page, 104);
  b = await sideData(page, 'b');
  assert.ok(Number(b.internalized) > 200, `side B internalized at week 104: ${b.internalized}`);
  assert.equal(await countPainted(page, 'b', 'rgb(0, 114, 178)'), Number(b.internalized));

  // A screenshot in the middle of the story.
  await setWeek(page, 40);
  fs.mkdirSync(outDir, { recursive: true });
  const shot = path.join(outDir, 'trainer.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(fs.statSync(shot).size > 20_000, 'screenshot written');

  // Tune strategy A in plain words: no mandate, 8 change agents from the top of the org chart.
  await page.locator('#side-a summary').click();
  await page.locator('#side-a select[name="issuers"]').selectOption('none');
  await page.locator('#side-a input[name="count"]').fill('8');
  await page.locator('#side-a select[name="selection"]').selectOption('formal');
  assert.equal(await page.locator('#side-a .preset').inputValue(), 'custom');
  await page.waitForFunction(() => {
    const e = document.getElementById('side-a');
    return e.querySelectorAll('svg.org .champion-mark').length === 8 && e.dataset.status === 'done';
  }, null, { timeout: 30_000 });
  assert.equal(await page.locator('#side-a svg.org .issuer-mark').count(), 0);
  assert.doesNotMatch(await page.locator('#side-a .caption').textContent(), /Compliance/);
  // The formal champions are the top of the org chart: the top leader and the 7 department heads.
  const ringed = await page.locator('#side-a svg.org .node.champion').count();
  assert.equal(ringed, 8);
  assert.equal(await page.locator('#side-a svg.org .node.leader.champion').count(), 8);

  assert.deepEqual(offsite, [], 'the page fetched nothing but its own server');
  assert.deepEqual(pageErrors, [], 'no errors in the page');
  await page.close();
});

test('the server stops cleanly on SIGTERM', { timeout: 15_000 }, async () => {
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
  const { code, signal } = await serverExit;
  clearTimeout(timer);
  assert.equal(signal, null, 'ended by itself, not killed');
  assert.equal(code, 0);
});
