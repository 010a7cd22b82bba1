// End-to-end test of trainer mode: `groundswell serve` on a free loopback
// port, the page in Debian's headless Chromium (driven by playwright-core),
// two strategies run side by side: every preset on both sides, controls
// changed during and after playback, the keyboard, the guided tour,
// presentation mode, export and the shareable link, and the layout at
// 1024x768, 1280x720, 1366x768 and 1920x1080 (no text outside its box or the
// screen). Every wait is bounded; the server and the browser are ended in
// `after` whatever happens.
//
//   GROUNDSWELL_BINARY  the groundswell executable (default: build/sim/groundswell)
//   GROUNDSWELL_E2E_OUT where the screenshots go (default: build/e2e)
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
    viewport: { width: 1366, height: 768 },
    acceptDownloads: true,
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

/** Waits until both sides have finished `trials` runs and show their animation. */
async function bothDone(page, trials, timeout = 30_000) {
  await page.waitForFunction((n) => ['a', 'b'].every((s) => {
    const e = document.getElementById(`side-${s}`);
    return e.dataset.status === 'done' && e.dataset.animation === 'ready' && e.dataset.trials === String(n);
  }), trials, { timeout });
}

/** A page with every console error, uncaught exception and failed response recorded. */
async function openPage(url = base) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  // The console says only "status of 404"; record which request it was.
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  await page.goto(url, { timeout: 15_000 });
  await page.waitForFunction(() => document.body.dataset.ready === 'yes');
  return { page, errors };
}

function shot(name) {
  fs.mkdirSync(outDir, { recursive: true });
  return path.join(outDir, name);
}

/**
 * Checks that no text leaves its box: every visible text element lies inside
 * the viewport (horizontally; vertically too when `oneScreen`), inside its
 * side, without overflow of its own; the end labels lie inside their chart.
 * Returns a list of problems (empty when all is well).
 */
async function layoutProblems(page, oneScreen) {
  return page.evaluate((oneScreen) => {
    const problems = [];
    const vw = document.documentElement.clientWidth;
    const vh = window.innerHeight;
    const visible = (e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden' && e.closest('[hidden]') === null;
    };
    const name = (e) => `${e.closest('[id]') ? `#${e.closest('[id]').id} ` : ''}${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${e.textContent.trim().slice(0, 40)}"`;
    const texts = document.querySelectorAll('h1, .lede, button, select, label, .verdict, .legend .key, .progress, .desc, .tune summary, .now .week, .now .count, .now .event, .drivers, .drivers span, .week-label, .speed select, .caption, .fine, .badge, .side-title');
    for (const e of texts) {
      if (!visible(e) || e.closest('dialog:not([open])') || e.closest('.tune:not([open]) .controls')) continue;
      const r = e.getBoundingClientRect();
      if (r.left < -0.5 || r.right > vw + 0.5) problems.push(`${name(e)} outside the screen horizontally (${r.left}..${r.right} of ${vw})`);
      if (oneScreen && (r.top < -0.5 || r.bottom > vh + 0.5)) problems.push(`${name(e)} outside the screen vertically (${r.top}..${r.bottom} of ${vh})`);
      const nowrap = getComputedStyle(e).whiteSpace === 'nowrap' && getComputedStyle(e).display === 'block';
      if (e.scrollWidth > e.clientWidth + 1 && (nowrap || getComputedStyle(e).overflowX !== 'visible') && e.tagName !== 'SELECT') problems.push(`${name(e)} overflows its width (${e.scrollWidth} > ${e.clientWidth})`);
      if (e.scrollHeight > e.clientHeight + 1 && getComputedStyle(e).overflowY === 'hidden') problems.push(`${name(e)} clipped (${e.scrollHeight} > ${e.clientHeight})`);
      const box = e.closest('.side, .now, .now-counts, .side-head');
      for (let c = e.parentElement?.closest('.side, .now, .now-counts, .side-head'); c; c = c.parentElement?.closest('.side, .now, .now-counts, .side-head')) {
        const b = c.getBoundingClientRect();
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5)
          problems.push(`${name(e)} outside its ${c.className.split(' ')[0]} (${r.left},${r.top},${r.right},${r.bottom} vs ${b.left},${b.top},${b.right},${b.bottom})`);
      }
      void box;
    }
    for (const svg of document.querySelectorAll('svg.chart')) {
      const b = svg.getBoundingClientRect();
      for (const t of svg.querySelectorAll('text')) {
        if (!t.textContent) continue;
        const r = t.getBoundingClientRect();
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5)
          problems.push(`chart text "${t.textContent}" outside its chart (${r.left},${r.top},${r.right},${r.bottom} vs ${b.left},${b.top},${b.right},${b.bottom})`);
      }
      const labels = [...svg.querySelectorAll('.end-label')].map((t) => t.getBoundingClientRect());
      for (let i = 0; i < labels.length; ++i)
        for (let j = i + 1; j < labels.length; ++j)
          if (labels[i].top < labels[j].bottom - 2 && labels[j].top < labels[i].bottom - 2) problems.push(`end labels ${i} and ${j} overlap`);
    }
    // The two org charts and the two charts side by side are aligned.
    const [a, b] = ['a', 'b'].map((s) => document.getElementById(`side-${s}`));
    const top = (side, sel) => Math.round(side.querySelector(sel).getBoundingClientRect().top);
    if (a.getBoundingClientRect().top === b.getBoundingClientRect().top) {
      for (const sel of ['.org-wrap', '.chart-wrap'])
        if (top(a, sel) !== top(b, sel)) problems.push(`${sel} not aligned: ${top(a, sel)} vs ${top(b, sel)}`);
    }
    return problems;
  }, oneScreen);
}

/** Where the things that must stay put are, for comparing during playback. */
async function positions(page) {
  return page.evaluate(() => ['a', 'b'].flatMap((s) => ['.org-wrap', '.chart-wrap', '.side'].map((sel) => {
    const r = (sel === '.side' ? document.getElementById(`side-${s}`) : document.querySelector(`#side-${s} ${sel}`)).getBoundingClientRect();
    // A side may grow below its chart (a longer caption); its top and width stay.
    const h = sel === '.side' ? '' : `x${Math.round(r.height)}`;
    return `${s}${sel}:${Math.round(r.left)},${Math.round(r.top)},${Math.round(r.width)}${h}`;
  })).concat([(() => { const r = document.getElementById('verdict').getBoundingClientRect(); return `verdict:${Math.round(r.top)}`; })()]));
}

test('two strategies animate and draw their curves in headless Chromium', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage();
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.locator('#side-a .preset').selectOption('top_down');
  await page.locator('#side-b .preset').selectOption('distributed');
  // Changing the number of runs starts both strategies afresh.
  await page.locator('#trials').selectOption('100');
  await bothDone(page, 100);

  for (const side of ['a', 'b']) {
    const s = page.locator(`#side-${side}`);
    assert.equal(await s.locator('svg.org .node').count(), 400, `side ${side}: one mark per person`);
    assert.equal(await s.locator('svg.org .dept-label').count(), 7, `side ${side}: seven departments`);
    assert.equal(await s.locator('svg.chart path.median').count(), 3, `side ${side}: median curves`);
    assert.equal(await s.locator('svg.chart path.band').count(), 3, `side ${side}: bands`);
    assert.match(await s.locator('.progress').textContent(), /100 runs/);
    assert.ok(await s.locator('.error').isHidden(), `side ${side}: no error shown`);
    // Who drove the adoption, from the model's attribution.
    assert.match(await s.locator('.drivers').textContent(), /change agents \d+%, formal leaders \d+%, everyone else \d+%/);
  }
  const drivers = { a: JSON.parse((await sideData(page, 'a')).drivers), b: JSON.parse((await sideData(page, 'b')).drivers) };
  assert.equal(drivers.a.champions, 0, 'top-down: no change agents to credit');
  assert.ok(drivers.b.champions > 0.1, `distributed: change agents credited (${JSON.stringify(drivers.b)})`);
  for (const d of [drivers.a, drivers.b]) assert.ok(Math.abs(d.champions + d.formal_leaders + d.others - 1) < 0.002);
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
  assert.match(verdict, /^After 104 weeks, B \(Distributed champions with a coalition\) has \d+% internalized; A \(Top-down mandate\) has \d+% internalized/);
  const ends = await page.locator('svg.chart .end-label').allTextContents();
  assert.equal(ends.length, 6);
  for (const e of ends) assert.match(e, /^\d+% (internalized|complying|resisting)$/);

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
  // Step one week forward and back.
  await page.locator('#forward').click();
  assert.equal(await page.evaluate(() => document.body.dataset.week), '11');
  await page.locator('#back').click();
  await page.locator('#back').click();
  assert.equal(await page.evaluate(() => document.body.dataset.week), '9');

  // Week 104: distributed leadership has spread through most of this run.
  await setWeek(page, 104);
  b = await sideData(page, 'b');
  assert.ok(Number(b.internalized) > 200, `side B internalized at week 104: ${b.internalized}`);
  assert.equal(await countPainted(page, 'b', 'rgb(0, 114, 178)'), Number(b.internalized));

  await setWeek(page, 40);
  await page.screenshot({ path: shot('trainer.png'), fullPage: true });
  assert.ok(fs.statSync(shot('trainer.png')).size > 20_000, 'screenshot written');

  // Tune strategy A in plain words: no mandate, 8 change agents from the top of the org chart.
  const orgTop = await page.locator('#side-a .org-wrap').evaluate((e) => e.getBoundingClientRect().top);
  await page.locator('#side-a summary').click();
  // Opening the controls does not push the org chart down.
  assert.equal(await page.locator('#side-a .org-wrap').evaluate((e) => e.getBoundingClientRect().top), orgTop);
  await page.locator('#side-a select[name="issuers"]').selectOption('none');
  await page.locator('#side-a input[name="count"]').fill('8');
  await page.locator('#side-a select[name="selection"]').selectOption('formal');
  assert.equal(await page.locator('#side-a .preset').inputValue(), 'custom');
  await page.waitForFunction(() => {
    const e = document.getElementById('side-a');
    return e.querySelectorAll('svg.org .champion-mark').length === 8 && e.dataset.status === 'done';
  }, null, { timeout: 30_000 });
  await page.screenshot({ path: shot('trainer-adjust.png') });
  await page.locator('#side-a summary').click();
  assert.equal(await page.locator('#side-a svg.org .issuer-mark').count(), 0);
  assert.doesNotMatch(await page.locator('#side-a .caption').textContent(), /Compliance/);
  // The formal champions are the top of the org chart: the top leader and the 7 department heads.
  assert.equal(await page.locator('#side-a svg.org .node.champion').count(), 8);
  assert.equal(await page.locator('#side-a svg.org .node.leader.champion').count(), 8);

  // Hover on a person: role, department, state and listeners.
  await page.locator('#side-a svg.org .node').nth(0).hover();
  const person = await page.locator('#side-a .person').textContent();
  assert.match(person, /Person 1: the top leader/);
  assert.match(person, /department \d+/);
  assert.match(person, /week 40: (internalized|not yet|complying|resisting)/);
  assert.match(person, /\d+ listen to them: 7 report to them, \d+ by informal ties/);
  // Who listens to whom: the informal leaders (the most listened-to 5%) stand out.
  await page.locator('#highlight').selectOption('informal');
  assert.equal(await page.locator('#side-a svg.org.hl-informal .node.informal-leader').count(), 20);
  await page.screenshot({ path: shot('trainer-informal-leaders.png') });
  await page.locator('#highlight').selectOption('formal');
  assert.equal(await page.locator('#side-b svg.org.hl-formal').count(), 1);
  await page.locator('#highlight').selectOption('none');

  assert.deepEqual(offsite, [], 'the page fetched nothing but its own server');
  assert.deepEqual(errors, [], 'no errors in the page');
  await page.close();
});

test('every preset on both sides; controls changed during and after playback never freeze a side', { timeout: 90_000 }, async () => {
  const { page, errors } = await openPage();
  await page.locator('#trials').selectOption('50');
  await bothDone(page, 50);
  const presets = await page.locator('#side-a .preset option').evaluateAll((o) => o.map((x) => x.value).filter((v) => v !== 'custom'));
  assert.equal(presets.length, 6);
  for (let k = 0; k < presets.length; ++k) {
    await page.locator('#side-a .preset').selectOption(presets[k]);
    await page.locator('#side-b .preset').selectOption(presets[(k + 3) % presets.length]);
    await bothDone(page, 50);
    for (const side of ['a', 'b']) {
      assert.ok(await page.locator(`#side-${side} .error`).isHidden(), `${presets[k]}: side ${side} shows no error`);
      assert.equal(await page.locator(`#side-${side} svg.chart path.median`).count(), 3);
    }
    assert.match(await page.locator('#verdict').textContent(), /^After 104 weeks/);
    assert.deepEqual(await layoutProblems(page, false), [], `layout with ${presets[k]}`);
  }

  // The freeze: Play, then each of these while it plays (and once paused).
  const actions = [
    ['preset change', async () => page.locator('#side-a .preset').selectOption('hybrid')],
    ['control change', async () => {
      await page.locator('#side-b summary').click();
      await page.locator('#side-b input[name="bridges"]').fill('20');
      await page.locator('#side-b summary').click();
    }],
    ['New organization', async () => page.locator('#reshuffle').click()],
    ['Run both again', async () => page.locator('#run').click()],
  ];
  const layout = await positions(page);
  for (const [what, act] of actions) {
    for (const playing of [true, false]) {
      await setWeek(page, 0);
      await page.locator('#speed').selectOption('16');
      await page.locator('#play').click();
      await page.waitForFunction(() => Number(document.body.dataset.week) >= 3, null, { timeout: 5_000 });
      if (!playing) await page.locator('#play').click();
      await act();
      await bothDone(page, 50);
      // Still alive: both sides follow the week, whole weeks only.
      if (playing) await page.waitForFunction(() => document.body.dataset.playing === 'no' || Number(document.body.dataset.week) >= 8, null, { timeout: 15_000 });
      if (await page.evaluate(() => document.body.dataset.playing === 'yes')) await page.locator('#play').click();
      await setWeek(page, 20);
      for (const side of ['a', 'b']) {
        const d = await sideData(page, side);
        assert.equal(d.week, '20', `${what} (${playing ? 'playing' : 'paused'}): side ${side} follows the week`);
        assert.equal(d.status, 'done', `${what}: side ${side} done`);
        assert.ok(await page.locator(`#side-${side} .error`).isHidden(), `${what}: side ${side} shows no error`);
      }
      assert.deepEqual(await positions(page), layout, `${what}: nothing moved`);
    }
  }
  // During playback nothing moves either (the counts line, the formalized chip, the verdict).
  await page.locator('#side-b .preset').selectOption('hybrid');
  await bothDone(page, 50);
  await setWeek(page, 0);
  await page.locator('#play').click();
  // At the fast speed, 10 x 400 ms covers some 64 weeks: hybrid's formalization comes within them.
  const formalized = Number((await sideData(page, 'b')).moments.match(/formalization:(\d+)/)[1]);
  assert.ok(formalized < 60, `formalized in week ${formalized}`);
  for (let k = 0; k < 10; ++k) {
    await page.waitForTimeout(400);
    assert.deepEqual(await positions(page), layout, `playback at week ${await page.evaluate(() => document.body.dataset.week)}: nothing moved`);
  }
  assert.ok(Number(await page.evaluate(() => document.body.dataset.week)) > formalized, 'played past formalization');
  assert.equal(await page.locator('#side-b .now .event').count(), 1, 'the formalized chip is shown');
  await page.locator('#play').click();
  assert.deepEqual(errors, [], 'no errors in the page');
  await page.close();
});

test('the keyboard: arrows step weeks, space plays, and neither is taken from the control that has focus', { timeout: 40_000 }, async () => {
  const { page, errors } = await openPage();
  await page.locator('#trials').selectOption('50');
  await bothDone(page, 50);
  await setWeek(page, 10);
  // Arrows on a focused strategy list step the week; they do not switch strategies.
  await page.locator('#side-a .preset').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.body.dataset.week), '12');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.body.dataset.week), '11');
  assert.equal(await page.locator('#side-a .preset').inputValue(), 'top_down');
  assert.equal((await sideData(page, 'a')).status, 'done', 'no new run started');
  // Space on a focused button presses that button, and does not toggle playback.
  await page.locator('#run').focus();
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.getElementById('side-a').dataset.status === 'running', null, { timeout: 5_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.playing || 'no'), 'no');
  // While the new runs compute, no stale text: captions and verdict say so.
  assert.match(await page.locator('#verdict').textContent(), /Computing|^After/);
  await bothDone(page, 50);
  // Space elsewhere plays and pauses.
  await page.locator('h1').click();
  await page.keyboard.press(' ');
  assert.equal(await page.evaluate(() => document.body.dataset.playing), 'yes');
  await page.keyboard.press(' ');
  assert.equal(await page.evaluate(() => document.body.dataset.playing), 'no');
  // The Info panel opens with Enter on its button and closes with Escape.
  await page.locator('#info').focus();
  await page.keyboard.press('Enter');
  assert.ok(await page.locator('#info-panel').isVisible());
  const info = await page.locator('#info-panel').textContent();
  for (const heading of ['What is it?', 'How it works', 'Things to notice', 'Things to try', 'The model']) assert.ok(info.includes(heading), heading);
  assert.match(info, /run by groundswell\s+\d+\.\d+\.\d+/, 'the program\'s version, for citing');
  await page.screenshot({ path: shot('trainer-info.png') });
  await page.keyboard.press('Escape');
  assert.ok(await page.locator('#info-panel').isHidden());
  assert.deepEqual(errors, [], 'no errors in the page');
  await page.close();
});

for (const [width, height] of [[1024, 768], [1280, 720], [1366, 768], [1920, 1080]]) {
  test(`layout at ${width}x${height}: nothing clipped, verdict on screen, presentation mode on one screen`, { timeout: 40_000 }, async () => {
    const { page, errors } = await openPage();
    await page.setViewportSize({ width, height });
    await page.locator('#trials').selectOption('50');
    await bothDone(page, 50);
    await setWeek(page, 30);
    assert.deepEqual(await layoutProblems(page, false), [], 'normal view');
    // Both sides side by side, and the verdict visible without scrolling.
    const boxes = await page.evaluate(() => ['side-a', 'side-b', 'verdict'].map((id) => document.getElementById(id).getBoundingClientRect().toJSON()));
    assert.equal(Math.round(boxes[0].top), Math.round(boxes[1].top), 'the sides are side by side');
    assert.ok(boxes[1].right <= width, 'side B on screen');
    assert.ok(boxes[2].bottom <= height && boxes[2].height > 0, 'the verdict on screen');
    assert.match(await page.locator('#verdict').textContent(), /^After 104 weeks/);
    await page.screenshot({ path: shot(`trainer-${width}x${height}.png`) });

    // Presentation mode: everything on one screen, type for the back of the room.
    await page.locator('#present').click();
    await page.waitForFunction(() => document.documentElement.classList.contains('present'));
    await page.waitForTimeout(200);
    assert.deepEqual(await layoutProblems(page, true), [], 'presentation mode');
    const sizes = await page.evaluate(() => {
      const px = (e) => parseFloat(getComputedStyle(e).fontSize);
      const rendered = [...document.querySelectorAll('svg.chart .end-label .num')].map((t) => t.getBoundingClientRect().height);
      const sides = ['side-a', 'side-b'].map((id) => document.getElementById(id).getBoundingClientRect().toJSON());
      return {
        body: px(document.body),
        smallestText: Math.min(...[...document.querySelectorAll('.now .count, .drivers, .verdict, .legend .key, .progress, .preset, button')]
          .filter((e) => e.getBoundingClientRect().width > 0).map(px)),
        numbers: Math.min(...[...document.querySelectorAll('.now .num, .verdict .num')].map(px)),
        endLabels: Math.min(...[...document.querySelectorAll('svg.chart .end-label .num')].map((t) => Number(t.getAttribute('font-size')))),
        rendered: Math.min(...rendered),
        sides,
      };
    });
    assert.ok(sizes.body >= 20, `body ${sizes.body}px`);
    assert.ok(sizes.smallestText >= 20, `smallest text ${sizes.smallestText}px`);
    assert.ok(sizes.numbers >= 28, `numbers ${sizes.numbers}px`);
    assert.ok(sizes.endLabels >= 28, `end labels ${sizes.endLabels}px`);
    assert.ok(sizes.rendered >= 20, `end labels drawn ${sizes.rendered}px high`);
    for (const s of sizes.sides) assert.ok(s.top >= 0 && s.bottom <= height + 0.5 && s.left >= 0 && s.right <= width + 0.5, `a side on screen: ${JSON.stringify(s)}`);
    assert.equal(Math.round(sizes.sides[0].top), Math.round(sizes.sides[1].top), 'side by side');
    await page.screenshot({ path: shot(`trainer-present-${width}x${height}.png`) });
    await page.locator('#present').click();
    assert.deepEqual(errors, [], 'no errors in the page');
    await page.close();
  });
}

test('a walk-through at 1024x768 in presentation mode with the guided tour', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage(`${base}?present=1&trials=50&b=hybrid`);
  await page.setViewportSize({ width: 1024, height: 768 });
  assert.ok(await page.evaluate(() => document.documentElement.classList.contains('present')), 'the URL flag');
  await bothDone(page, 50);
  const moments = { a: (await sideData(page, 'a')).moments, b: (await sideData(page, 'b')).moments };
  assert.match(moments.a, /mandate:1/);
  assert.match(moments.a, /peak:\d+/);
  assert.match(moments.a, /lapse:\d+/);
  assert.match(moments.b, /formalization:\d+/);
  assert.match(moments.b, /half:\d+/);
  const expected = [...moments.a.split(' '), ...moments.b.split(' ')].map((m) => { const [kind, week] = m.split(':'); return { kind, week: Number(week) }; })
    .sort((p, q) => p.week - q.week);
  await page.locator('#speed').selectOption('16');
  await page.locator('#tour').click();
  assert.equal(await page.locator('#narration').getAttribute('data-kind'), 'intro');
  const seen = [];
  for (let k = 0; k < expected.length + 1; ++k) {
    await page.locator('#narration-next').click();
    await page.waitForFunction(() => !document.getElementById('narration').hidden && document.body.dataset.playing === 'no', null, { timeout: 20_000 });
    const kind = await page.locator('#narration').getAttribute('data-kind');
    const week = Number(await page.evaluate(() => document.body.dataset.week));
    const text = await page.locator('#narration .narration-text').textContent();
    assert.ok(text.length > 30 && text.length < 220, `one plain sentence: ${text}`);
    seen.push({ kind, week });
    if (k === 0) await page.screenshot({ path: shot('trainer-tour-1024x768.png') });
    if (kind === 'half') await page.screenshot({ path: shot('trainer-tour-half-1024x768.png') });
    if (kind === 'end') break;
  }
  for (const m of expected) assert.ok(seen.some((s) => s.kind === m.kind && s.week === m.week), `the tour paused at ${m.kind} (week ${m.week}): ${JSON.stringify(seen)}`);
  assert.equal(seen[seen.length - 1].kind, 'end');
  await page.locator('#narration-end').click();
  assert.ok(await page.locator('#narration').isHidden());
  assert.deepEqual(errors, [], 'no errors in the page');
  await page.close();
});

test('organization controls, export as PNG and CSV, and a link that restores the page', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage();
  await page.locator('#trials').selectOption('50');
  await bothDone(page, 50);
  await page.locator('#size').selectOption('200');
  await page.locator('#span').selectOption('5');
  await page.locator('#cross').selectOption('0.2');
  await page.locator('#start').selectOption('8');
  await bothDone(page, 50);
  await page.waitForFunction(() => document.querySelectorAll('#side-a svg.org .node').length === 200);
  assert.equal(await page.locator('#side-a svg.org .dept-label').count(), 5);
  assert.match((await sideData(page, 'a')).moments, /mandate:8/);
  assert.equal(await page.locator('#org-size').textContent(), '200');
  // A custom strategy on side B, to be restored by the link.
  await page.locator('#side-b summary').click();
  await page.locator('#side-b input[name="count"]').fill('6');
  await page.locator('#side-b select[name="selection"]').selectOption('bridging');
  await page.locator('#side-b summary').click();
  await bothDone(page, 50);
  await setWeek(page, 26);

  const [csv] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.locator('#save-csv').click()]);
  const csvText = fs.readFileSync(await csv.path(), 'utf8');
  const lines = csvText.trim().split('\n');
  assert.equal(lines[0], 'side,strategy,state,week,median,low,high');
  assert.equal(lines.length, 1 + 2 * 4 * 105);
  assert.match(lines[1], /^A,"Top-down mandate",internalized,0,/);
  fs.copyFileSync(await csv.path(), shot('trainer-curves.csv'));
  const [png] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.locator('#save-png').click()]);
  const pngBytes = fs.readFileSync(await png.path());
  assert.equal(pngBytes.subarray(1, 4).toString(), 'PNG');
  assert.ok(pngBytes.length > 20_000, `PNG of ${pngBytes.length} bytes`);
  fs.copyFileSync(await png.path(), shot('trainer-export.png'));

  // A seed typed in runs both sides again on it, and goes into the link.
  await page.locator('#seed').fill('7');
  await page.locator('#seed').press('Enter');
  await page.waitForFunction(() => document.getElementById('side-a').dataset.status !== 'done', null, { timeout: 5_000 });
  await bothDone(page, 50);
  await setWeek(page, 26);
  const link = page.url();
  assert.match(link, /seed=7/);
  const restored = await openPage(link);
  await bothDone(restored.page, 50);
  assert.equal(await restored.page.locator('#side-a .preset').inputValue(), 'top_down');
  assert.equal(await restored.page.locator('#side-b .preset').inputValue(), 'custom');
  assert.equal(await restored.page.locator('#side-b input[name="count"]').inputValue(), '6');
  assert.equal(await restored.page.locator('#side-b select[name="selection"]').inputValue(), 'bridging');
  for (const [id, v] of [['size', '200'], ['span', '5'], ['cross', '0.2'], ['start', '8'], ['trials', '50'], ['seed', '7']])
    assert.equal(await restored.page.locator(`#${id}`).inputValue(), v, id);
  // The same settings and seed: the same animated runs.
  assert.equal((await sideData(restored.page, 'b')).moments, (await sideData(page, 'b')).moments);
  await restored.page.close();
  assert.deepEqual(restored.errors, [], 'no errors in the restored page');
  assert.deepEqual(errors, [], 'no errors in the page');
  await page.close();
});

test('after the server has gone each side says so, and nothing stale is left', { timeout: 30_000 }, async () => {
  const { page } = await openPage();
  await page.locator('#trials').selectOption('50');
  await bothDone(page, 50);
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
  const { code, signal } = await serverExit;
  clearTimeout(timer);
  assert.equal(signal, null, 'ended by itself, not killed');
  assert.equal(code, 0);
  await page.locator('#run').click();
  await page.waitForFunction(() => ['a', 'b'].every((s) => document.getElementById(`side-${s}`).dataset.status === 'error'), null, { timeout: 10_000 });
  for (const side of ['a', 'b']) {
    assert.match(await page.locator(`#side-${side} .error`).textContent(), /did not answer|Lost contact/);
    assert.equal(await page.locator(`#side-${side} .caption`).textContent(), '');
    assert.ok(await page.locator(`#side-${side} .retry`).isVisible(), 'a way to try again');
    assert.doesNotMatch(await page.locator(`#side-${side} .now`).textContent(), /computing/);
    assert.doesNotMatch(await page.locator(`#side-${side} svg.chart`).textContent(), /computing/);
  }
  assert.match(await page.locator('#verdict').textContent(), /could not run/);
  await page.screenshot({ path: shot('trainer-server-gone.png') });
  assert.deepEqual(offsite, [], 'the page fetched nothing but its own server');
  await page.close();
});
