// Groundswell trainer page: two strategies side by side, each with one
// animated run on the org chart and the curves of many runs. Plain SVG, no
// dependencies; every request goes to the server that served this page
// (docs/server.md).

const SVG = 'http://www.w3.org/2000/svg';
// Okabe-Ito colours, safe for colour-blind viewers.
const COLORS = { N: '#BDBDBD', C: '#E69F00', A: '#0072B2', R: '#D55E00' };
// The words of MODEL.md 7: internalized = A (own conviction), adopted = A + C.
const WORDS = { N: 'not yet', C: 'complying', A: 'internalized', R: 'resisting' };
const CURVE_LABELS = { A: 'Internalized', C: 'Complying', R: 'Resisting' };
const POLL_MS = 250;
const SIZE = 400;   // people in the organization the page shows
const STEPS = 104;  // weeks

const page = {
  presets: [],
  seed: 1,
  trials: 200,
  steps: STEPS,
  week: 0,
  playing: false,
  speed: 8,
  sides: [],
};

// ---------------------------------------------------------------- helpers

function el(tag, attrs = {}, parent = null) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  if (parent) parent.appendChild(node);
  return node;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (share) => `${Math.round(share * 100)}%`;
const fmt = (x) => (Math.round(x * 100) / 100).toString();

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  if (response.status !== 204) {
    try { data = await response.json(); } catch { data = null; }
  }
  return { status: response.status, ok: response.ok, data };
}

/** Cancels a run that nobody shows any more (a finished one is simply forgotten). */
function cancelRun(answer) {
  if (answer && answer.ok && answer.data && answer.data.id) api('DELETE', `/api/runs/${answer.data.id}`).catch(() => {});
}

// ---------------------------------------------------------------- controls

const CONTROLS = `
<fieldset><legend>Formal leaders push</legend>
  <label>Who mandates the change
    <select name="issuers">
      <option value="none">nobody</option>
      <option value="top">the top leader</option>
      <option value="leaders:1">the top two levels</option>
      <option value="leaders:2">every manager</option>
    </select></label>
  <label>How hard they push <span class="val" data-for="intensity"></span>
    <input type="range" name="intensity" min="0" max="3" step="0.25"></label>
  <label>How long their attention lasts
    <select name="half_life">
      <option value="4">halves every 4 weeks</option>
      <option value="13">halves every 13 weeks</option>
      <option value="26">halves every 26 weeks</option>
      <option value="52">halves every 52 weeks</option>
      <option value="sustained">never lets up</option>
    </select></label>
</fieldset>
<fieldset><legend>Change agents</legend>
  <label>How many <span class="val" data-for="count"></span>
    <input type="range" name="count" min="0" max="40" step="1"></label>
  <label>Chosen how
    <select name="selection">
      <option value="random">at random</option>
      <option value="formal">top of the org chart</option>
      <option value="central">most listened-to</option>
      <option value="bridging">listened to across departments</option>
      <option value="distributed">most listened-to per department</option>
    </select></label>
  <label class="check"><input type="checkbox" name="coalition"> they know each other (a coalition)</label>
</fieldset>
<fieldset><legend>Silos and formal support</legend>
  <label>Bridges across silos <span class="val" data-for="bridges"></span>
    <input type="range" name="bridges" min="0" max="100" step="5"></label>
  <label>Leaders formalize the change
    <select name="formalize">
      <option value="never">never</option>
      <option value="0.1">once 10% have adopted</option>
      <option value="0.2">once 20% have adopted</option>
      <option value="0.3">once 30% have adopted</option>
      <option value="0.5">once 50% have adopted</option>
    </select></label>
</fieldset>`;

function setSelect(select, value) {
  const v = String(value);
  if (![...select.options].some((o) => o.value === v)) el('option', { value: v, text: v }, select);
  select.value = v;
}

// ---------------------------------------------------------------- one side

class Side {
  constructor(root, presetId) {
    this.root = root;
    this.name = root.dataset.side.toUpperCase();
    this.select = root.querySelector('.preset');
    this.desc = root.querySelector('.desc');
    this.progress = root.querySelector('.progress');
    this.now = root.querySelector('.now');
    this.orgSvg = root.querySelector('svg.org');
    this.chartSvg = root.querySelector('svg.chart');
    this.captionEl = root.querySelector('.caption');
    this.errorEl = root.querySelector('.error');
    this.controls = root.querySelector('.controls');
    this.controls.innerHTML = CONTROLS;
    this.form = Object.fromEntries([...this.controls.querySelectorAll('[name]')].map((c) => [c.name, c]));
    this.token = 0;
    this.trial = null;
    this.nodes = [];
    this.shown = [];
    this.status = null;
    this.debounce = null;

    for (const p of page.presets) el('option', { value: p.id, text: p.label }, this.select);
    el('option', { value: 'custom', text: 'Custom strategy' }, this.select);
    this.select.addEventListener('change', () => {
      if (this.select.value !== 'custom') this.applyPreset(this.select.value);
      this.start();
    });
    for (const control of Object.values(this.form)) {
      control.addEventListener('input', () => {
        this.showValues();
        this.select.value = 'custom';
        this.desc.textContent = 'Custom strategy: adjusted below.';
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.start(), 450);
      });
    }
    this.applyPreset(presetId);
    this.drawChart();
  }

  applyPreset(id) {
    const preset = page.presets.find((p) => p.id === id);
    if (!preset) return;
    this.select.value = id;
    this.desc.textContent = preset.description;
    const s = preset.strategy;
    const issuers = s.mandate.issuers === 'leaders' ? `leaders:${s.mandate.levels}` : s.mandate.issuers;
    setSelect(this.form.issuers, issuers);
    this.form.intensity.value = s.mandate.intensity;
    setSelect(this.form.half_life, s.mandate.half_life);
    this.form.count.value = s.champions.count;
    setSelect(this.form.selection, s.champions.selection);
    this.form.coalition.checked = s.champions.coalition;
    this.form.bridges.value = s.bridges;
    setSelect(this.form.formalize, s.formalize_at === null ? 'never' : s.formalize_at);
    this.showValues();
  }

  showValues() {
    const f = this.form;
    const intensity = Number(f.intensity.value);
    const words = intensity === 0 ? 'not at all' : intensity < 1 ? 'gently' : intensity === 1 ? 'firmly' : 'very hard';
    this.controls.querySelector('[data-for="intensity"]').textContent = `${words} (${fmt(intensity)})`;
    this.controls.querySelector('[data-for="count"]').textContent = `${f.count.value} people`;
    this.controls.querySelector('[data-for="bridges"]').textContent = `${f.bridges.value} extra ties`;
    // Controls that do nothing in the current setting are dimmed and disabled.
    const mandate = f.issuers.value !== 'none';
    const agents = Number(f.count.value) > 0;
    for (const [control, on] of [[f.intensity, mandate], [f.half_life, mandate], [f.selection, agents], [f.coalition, agents]]) {
      control.disabled = !on;
      control.closest('label').classList.toggle('off', !on);
    }
  }

  strategy() {
    const f = this.form;
    const [issuers, levels] = f.issuers.value.split(':');
    const halfLife = f.half_life.value === 'sustained' ? 'sustained' : Number(f.half_life.value);
    const s = {
      mandate: { issuers, levels: levels ? Number(levels) : 1, intensity: Number(f.intensity.value), half_life: halfLife },
      champions: { count: Number(f.count.value), selection: f.selection.value, coalition: f.coalition.checked },
      bridges: Number(f.bridges.value),
      formalize_at: f.formalize.value === 'never' ? null : Number(f.formalize.value),
    };
    if (this.select.value !== 'custom') s.preset = this.select.value;
    return s;
  }

  label() {
    return this.select.value === 'custom' ? `Custom strategy ${this.name}` : this.select.selectedOptions[0].textContent;
  }

  setStatus(status) {
    this.root.dataset.status = status;
    updateVerdict();
  }

  showError(message) {
    this.errorEl.hidden = !message;
    this.errorEl.textContent = message || '';
    if (message) this.setStatus('error');
  }

  // Each run belongs to one call of start(): the call that created it polls
  // it, and cancels it once a newer start() has taken over. No other code
  // sends a request for it, so none can arrive after its DELETE (which would
  // answer 404 and show as an error in the browser's console).
  async start() {
    const token = ++this.token;
    this.status = null;
    this.trial = null;
    this.root.dataset.animation = 'waiting';
    this.root.dataset.trials = '0';
    this.showError('');
    this.setStatus('running');
    this.progress.textContent = 'starting...';
    this.drawChart();
    const body = { strategy: this.strategy(), organization: { size: SIZE }, trials: page.trials, steps: page.steps, seed: page.seed };
    let answer;
    for (let attempt = 0; ; ++attempt) {
      try {
        answer = await api('POST', '/api/runs', body);
      } catch (e) {
        if (token === this.token) this.showError(`The server did not answer (${e.message}). Is groundswell serve still running?`);
        return;
      }
      if (token !== this.token) return cancelRun(answer);
      if ((answer.status === 429 || answer.status === 503) && attempt < 40) {
        this.progress.textContent = 'waiting for the server...';
        await sleep(500);
        continue;
      }
      break;
    }
    if (!answer.ok) {
      this.showError(answer.data && answer.data.error ? answer.data.error : `The server refused the run (${answer.status}).`);
      return;
    }
    this.poll(token, answer.data.id);
  }

  async poll(token, id) {
    for (;;) {
      if (token !== this.token) return cancelRun({ ok: true, data: { id } });
      let answer;
      try {
        answer = await api('GET', `/api/runs/${id}`);
      } catch (e) {
        if (token === this.token) this.showError(`Lost contact with the server (${e.message}).`);
        return;
      }
      if (token !== this.token) return cancelRun({ ok: true, data: { id } });
      if (!answer.ok) {
        this.showError(answer.data && answer.data.error ? answer.data.error : `Status ${answer.status}`);
        return;
      }
      const s = answer.data;
      this.status = s;
      this.root.dataset.trials = String(s.trials_done);
      if (s.trial_ready && !this.trial) await this.loadTrial(token, id);
      if (token !== this.token) return cancelRun({ ok: true, data: { id } });
      this.progress.textContent = s.status === 'done' ? `${s.trials} runs` : `${s.trials_done} of ${s.trials} runs`;
      this.drawChart();
      this.captionEl.textContent = s.caption || '';
      if (s.status === 'failed') return this.showError(s.error || 'The run failed.');
      if (s.status === 'cancelled') return;
      if (s.status === 'done') return this.setStatus('done');
      await sleep(POLL_MS);
    }
  }

  async loadTrial(token, id) {
    const answer = await api('GET', `/api/runs/${id}/trial`);
    if (token !== this.token || !answer.ok) return;
    this.trial = answer.data;
    this.drawOrg();
    this.root.dataset.animation = 'ready';
    this.showWeek(page.week);
  }

  // ------------------------------------------------------------ the org chart

  drawOrg() {
    const t = this.trial;
    const svg = this.orgSvg;
    svg.replaceChildren();
    const { pos, width, height, departments } = layoutOrg(t);
    svg.setAttribute('viewBox', `-0.3 0 ${width + 0.6} ${height}`);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');

    const back = el('svg:g', { class: 'departments' }, svg);
    for (const d of departments) {
      el('svg:rect', { x: d.x0 - 0.45, y: d.y0, width: d.x1 - d.x0 + 0.9, height: d.y1 - d.y0, rx: 0.6, class: `dept dept${d.index % 2}` }, back);
      el('svg:text', { x: (d.x0 + d.x1) / 2, y: d.y1 + 0.95, class: 'dept-label', text: `Department ${d.index + 1}` }, back);
    }

    // Informal "listens-to" ties, faint; ties across departments a little stronger.
    let inside = '';
    let across = '';
    for (let e = 0; e + 1 < t.ties.length; e += 2) {
      const a = pos[t.ties[e]];
      const b = pos[t.ties[e + 1]];
      const seg = `M${a.x.toFixed(2)} ${a.y.toFixed(2)}L${b.x.toFixed(2)} ${b.y.toFixed(2)}`;
      if (t.department[t.ties[e]] === t.department[t.ties[e + 1]]) inside += seg;
      else across += seg;
    }
    el('svg:path', { d: inside, class: 'tie' }, svg);
    el('svg:path', { d: across, class: 'tie across' }, svg);

    // The formal hierarchy: elbow lines from each manager to its reports.
    let formal = '';
    for (let i = 0; i < t.size; ++i) {
      const m = t.manager[i];
      if (m < 0) continue;
      const a = pos[m];
      const b = pos[i];
      if (b.stacked) formal += `M${b.x} ${a.y}L${b.x} ${b.y}`;
      else {
        const mid = (a.y + b.y) / 2;
        formal += `M${a.x} ${a.y}L${a.x} ${mid}L${b.x} ${mid}L${b.x} ${b.y}`;
      }
    }
    el('svg:path', { d: formal, class: 'formal' }, svg);

    const isLeader = new Uint8Array(t.size);
    for (const m of t.manager) if (m >= 0) isLeader[m] = 1;
    const champions = new Set(t.champions);
    const issuers = new Set(t.issuers);
    const people = el('svg:g', { class: 'people' }, svg);
    this.nodes = new Array(t.size);
    this.shown = new Array(t.size).fill('');
    for (let i = 0; i < t.size; ++i) {
      const p = pos[i];
      if (issuers.has(i)) el('svg:rect', { x: p.x - 0.62, y: p.y - 0.62, width: 1.24, height: 1.24, class: 'issuer-mark' }, people);
      const node = isLeader[i]
        ? el('svg:rect', { x: p.x - 0.4, y: p.y - 0.4, width: 0.8, height: 0.8, class: 'node leader' }, people)
        : el('svg:circle', { cx: p.x, cy: p.y, r: 0.38, class: 'node' }, people);
      node.setAttribute('fill', COLORS.N);
      if (champions.has(i)) {
        node.classList.add('champion');
        el('svg:circle', { cx: p.x, cy: p.y, r: 0.62, class: 'champion-mark' }, people);
      }
      this.nodes[i] = node;
    }
    this.root.dataset.nodes = String(t.size);
  }

  showWeek(week) {
    if (!this.trial) {
      this.now.textContent = '';
      return;
    }
    const w = Math.min(week, this.trial.states.length - 1);
    const row = this.trial.states[w];
    const counts = { N: 0, C: 0, A: 0, R: 0 };
    for (let i = 0; i < row.length; ++i) {
      const s = row[i];
      counts[s] += 1;
      if (this.shown[i] !== s) {
        this.nodes[i].setAttribute('fill', COLORS[s]);
        this.shown[i] = s;
      }
    }
    this.now.replaceChildren();
    el('span', { class: 'week', text: `This run, week ${w}:` }, this.now);
    for (const s of ['A', 'C', 'R', 'N']) {
      el('span', { class: `count ${s}`, 'data-state': s, text: `${pct(counts[s] / row.length)} ${WORDS[s]}` }, this.now);
    }
    this.root.dataset.internalized = String(counts.A);
    this.root.dataset.complying = String(counts.C);
    this.root.dataset.resisting = String(counts.R);
    if (this.trial.formalized_at >= 0 && w >= this.trial.formalized_at)
      el('span', { class: 'event', text: `leaders formalized in week ${this.trial.formalized_at}` }, this.now);
    this.drawCursor(w);
  }

  // ------------------------------------------------------------ the curves

  drawChart() {
    const svg = this.chartSvg;
    const W = 820;
    const H = 250;
    const m = { left: 58, right: 212, top: 14, bottom: 42 };  // right: room for "Internalized 100%"
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.replaceChildren();
    const steps = page.steps;
    const x = (t) => m.left + (t / steps) * (W - m.left - m.right);
    const y = (v) => m.top + (1 - v) * (H - m.top - m.bottom);
    this.chartX = x;
    this.chartTop = m.top;
    this.chartBottom = H - m.bottom;

    const grid = el('svg:g', { class: 'grid' }, svg);
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      el('svg:line', { x1: m.left, x2: W - m.right, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'gridline' }, grid);
      el('svg:text', { x: m.left - 8, y: y(v) + 6, class: 'tick y', text: pct(v) }, grid);
    }
    const every = [4, 13, 26, 52].find((e) => steps / e <= 8) || 104;
    for (let t = 0; t <= steps; t += every) {
      el('svg:line', { x1: x(t), x2: x(t), y1: y(0), y2: y(0) + 6, class: 'axis' }, grid);
      el('svg:text', { x: x(t), y: y(0) + 24, class: 'tick x', text: String(t) }, grid);
    }
    el('svg:text', { x: W - m.right, y: H - 4, class: 'axis-title', text: 'weeks' }, grid);

    const curves = this.status && this.status.curves;
    if (!curves) {
      el('svg:text', { x: (m.left + W - m.right) / 2, y: H / 2, class: 'empty', text: this.root.dataset.status === 'running' ? 'running...' : '' }, svg);
    } else {
      const order = ['C', 'R', 'A'];
      const bands = el('svg:g', { class: 'bands' }, svg);
      const lines = el('svg:g', { class: 'lines' }, svg);
      for (const s of order) {
        const c = curves[s];
        let d = '';
        for (let t = 0; t < c.high.length; ++t) d += `${t ? 'L' : 'M'}${x(t).toFixed(1)} ${y(c.high[t]).toFixed(1)}`;
        for (let t = c.low.length - 1; t >= 0; --t) d += `L${x(t).toFixed(1)} ${y(c.low[t]).toFixed(1)}`;
        el('svg:path', { d: `${d}Z`, fill: COLORS[s], class: `band ${s}` }, bands);
        let line = '';
        for (let t = 0; t < c.median.length; ++t) line += `${t ? 'L' : 'M'}${x(t).toFixed(1)} ${y(c.median[t]).toFixed(1)}`;
        el('svg:path', { d: line, stroke: COLORS[s], class: `median ${s}` }, lines);
      }
      // Labels at the right end, pushed apart so they never overlap.
      const ends = order.map((s) => ({ s, v: curves[s].median[curves[s].median.length - 1] }));
      ends.sort((a, b) => b.v - a.v);
      let last = 24 - 22;  // the top label's baseline no higher than 24: its letters stay inside the chart
      for (const e of ends) {
        e.y = Math.max(y(e.v) + 6, last + 22);
        last = e.y;
      }
      // Then up from the bottom: only the labels that would fall below the axis move, so the
      // top one is not pushed out of the chart by the two at 0%.
      let limit = H - m.bottom + 4;
      for (let k = ends.length - 1; k >= 0; --k) {
        ends[k].y = Math.min(ends[k].y, limit);
        limit = ends[k].y - 22;
      }
      for (const e of ends) {
        el('svg:text', { x: W - m.right + 10, y: e.y, fill: COLORS[e.s], class: 'end-label', text: `${CURVE_LABELS[e.s]} ${pct(e.v)}` }, svg);
      }
    }
    this.cursor = el('svg:g', { class: 'cursor' }, svg);
    this.drawCursor(page.week);
  }

  drawCursor(week) {
    if (!this.cursor || !this.chartX) return;
    this.cursor.replaceChildren();
    const w = Math.min(week, page.steps);
    const cx = this.chartX(w);
    el('svg:line', { x1: cx, x2: cx, y1: this.chartTop, y2: this.chartBottom, class: 'cursor-line' }, this.cursor);
  }
}

// ---------------------------------------------------------------- layout

// Positions of an org chart in column units: the top of the hierarchy above,
// a manager whose reports all lead nobody gets them stacked in a column
// below it, so 400 people fit in a row of about 50 columns.
function layoutOrg(t) {
  const n = t.size;
  const children = Array.from({ length: n }, () => []);
  const roots = [];
  for (let i = 0; i < n; ++i) {
    if (t.manager[i] >= 0) children[t.manager[i]].push(i);
    else roots.push(i);
  }
  const LEVEL = 2.6;
  const STACK = 1.2;
  const PER_COLUMN = 8;
  const GAP = 0.9;
  const pos = new Array(n);
  let cursor = 0;
  let bottom = 0;

  function place(v, depth, y) {
    const kids = children[v];
    bottom = Math.max(bottom, y);
    if (kids.length === 0) {
      pos[v] = { x: cursor + 0.5, y };
      cursor += 1;
      return;
    }
    if (kids.every((k) => children[k].length === 0)) {
      const columns = Math.ceil(kids.length / PER_COLUMN);
      const x0 = cursor;
      pos[v] = { x: x0 + columns / 2, y };
      kids.forEach((k, j) => {
        const py = y + LEVEL * 0.75 + (j % PER_COLUMN) * STACK;
        pos[k] = { x: x0 + Math.floor(j / PER_COLUMN) + 0.5, y: py, stacked: true };
        bottom = Math.max(bottom, py);
      });
      cursor += columns;
      return;
    }
    kids.forEach((k, j) => {
      if (depth === 0 && j > 0) cursor += GAP;
      place(k, depth + 1, y + LEVEL);
    });
    pos[v] = { x: (pos[kids[0]].x + pos[kids[kids.length - 1]].x) / 2, y };
  }
  roots.forEach((r, j) => {
    if (j > 0) cursor += GAP;
    place(r, 0, 0.9);
  });

  // A box per department, around the subtree of each department head.
  const departments = [];
  const top = roots[0];
  const heads = roots.length === 1 ? children[top] : roots;
  heads.forEach((h, index) => {
    const box = { index, x0: Infinity, x1: -Infinity, y0: pos[h].y - 0.9, y1: -Infinity };
    const stack = [h];
    while (stack.length) {
      const v = stack.pop();
      box.x0 = Math.min(box.x0, pos[v].x);
      box.x1 = Math.max(box.x1, pos[v].x);
      box.y1 = Math.max(box.y1, pos[v].y + 0.9);
      stack.push(...children[v]);
    }
    departments.push(box);
  });
  return { pos, width: cursor, height: bottom + 2.4, departments };
}

// ---------------------------------------------------------------- playback

function showWeek(week) {
  page.week = Math.max(0, Math.min(page.steps, week));
  document.body.dataset.week = String(Math.floor(page.week));
  const w = Math.floor(page.week);
  document.getElementById('week').value = String(w);
  document.getElementById('week-out').textContent = String(w);
  for (const side of page.sides) side.showWeek(w);
  if (!page.playing) updatePlayButton();
}

let lastFrame = null;
function frame(now) {
  if (!page.playing) return;
  if (lastFrame !== null) {
    const next = page.week + ((now - lastFrame) / 1000) * page.speed;
    if (next >= page.steps) {
      showWeek(page.steps);
      setPlaying(false);
      return;
    }
    if (Math.floor(next) !== Math.floor(page.week)) showWeek(next);
    else page.week = next;
  }
  lastFrame = now;
  requestAnimationFrame(frame);
}

function updatePlayButton() {
  const button = document.getElementById('play');
  const on = page.playing;
  button.innerHTML = on ? '&#10074;&#10074; Pause' : page.week >= page.steps ? '&#8634; Replay' : '&#9654; Play';
  button.setAttribute('aria-label', on ? 'Pause' : 'Play');
}

function setPlaying(on) {
  page.playing = on;
  document.body.dataset.playing = on ? 'yes' : 'no';
  updatePlayButton();
  if (on) {
    if (page.week >= page.steps) showWeek(0);
    lastFrame = null;
    requestAnimationFrame(frame);
  }
}

// ---------------------------------------------------------------- verdict

function updateVerdict() {
  const verdict = document.getElementById('verdict');
  if (!page.sides.length || page.sides.some((s) => s.root.dataset.status !== 'done' || !s.status || !s.status.curves)) {
    verdict.textContent = '';
    return;
  }
  const rows = page.sides.map((s) => {
    const a = s.status.curves.A.median;
    return { label: s.label(), name: s.name, internalized: a[a.length - 1] };
  });
  rows.sort((p, q) => q.internalized - p.internalized);
  const [best, other] = rows;
  const weeks = page.steps;
  if (Math.abs(best.internalized - other.internalized) < 0.03) {
    verdict.textContent = `After ${weeks} weeks both strategies end close together: ${pct(best.internalized)} and ${pct(other.internalized)} internalized (median run).`;
  } else {
    verdict.textContent = `After ${weeks} weeks, ${best.name} (${best.label}) has ${pct(best.internalized)} internalized; ` +
      `${other.name} (${other.label}) has ${pct(other.internalized)} (median run).`;
  }
}

// ---------------------------------------------------------------- start

function runBoth() {
  for (const side of page.sides) side.start();
}

async function main() {
  const answer = await api('GET', '/api/presets');
  if (!answer.ok) {
    document.getElementById('verdict').textContent = 'Could not reach the server. Is groundswell serve running?';
    return;
  }
  page.presets = answer.data.presets;
  document.getElementById('org-size').textContent = String(SIZE);
  document.getElementById('week-max').textContent = String(page.steps);
  const slider = document.getElementById('week');
  slider.max = String(page.steps);
  page.trials = Number(document.getElementById('trials').value);

  page.sides = [
    new Side(document.getElementById('side-a'), 'top_down'),
    new Side(document.getElementById('side-b'), 'distributed'),
  ];

  slider.addEventListener('input', () => {
    setPlaying(false);
    showWeek(Number(slider.value));
  });
  document.getElementById('play').addEventListener('click', () => setPlaying(!page.playing));
  document.getElementById('speed').addEventListener('change', (e) => { page.speed = Number(e.target.value); });
  document.getElementById('run').addEventListener('click', runBoth);
  document.getElementById('reshuffle').addEventListener('click', () => {
    page.seed = 1 + Math.floor(Math.random() * 1e9);
    runBoth();
  });
  document.getElementById('trials').addEventListener('change', (e) => {
    page.trials = Number(e.target.value);
    runBoth();
  });
  document.addEventListener('keydown', (e) => {
    if (e.target.closest('input, select, textarea, summary')) return;
    if (e.key === ' ') { e.preventDefault(); setPlaying(!page.playing); }
    if (e.key === 'ArrowRight') showWeek(Math.floor(page.week) + 1);
    if (e.key === 'ArrowLeft') showWeek(Math.floor(page.week) - 1);
  });
  document.body.dataset.ready = 'yes';
  runBoth();
}

main();
