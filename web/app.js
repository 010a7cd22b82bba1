// Groundswell trainer page: two strategies side by side, each with one
// animated run on the org chart and the curves of many runs. Plain SVG, no
// dependencies; every request goes to the server that served this page
// (docs/server.md).

const SVG = 'http://www.w3.org/2000/svg';
// Okabe-Ito colours, safe for colour-blind viewers.
const COLORS = { N: '#BDBDBD', C: '#E69F00', A: '#0072B2', R: '#D55E00' };
// The words of MODEL.md 7: internalized = A (own conviction), adopted = A + C.
const WORDS = { N: 'not yet', C: 'complying', A: 'internalized', R: 'resisting' };
const CURVE_LABELS = { A: 'internalized', C: 'complying', R: 'resisting' };
const CSV_STATES = { A: 'internalized', C: 'complying', R: 'resisting', N: 'not_yet' };
const POLL_MS = 250;
const STEPS = 104;  // weeks

const page = {
  presets: [],
  seed: 1,
  trials: 200,
  steps: STEPS,
  org: { size: 400, span: 7, cross_department: 0.05 },
  start: 1,       // the mandate's week, on both sides
  week: 0,        // always a whole week: what every side shows
  playing: false,
  speed: 8,
  tour: false,
  present: false,
  highlight: 'none',
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

/** Saves `blob` as a file named `name` (a download; nothing leaves the machine). */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
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
      <option value="0.1">at 10% adopted (incl. complying)</option>
      <option value="0.2">at 20% adopted (incl. complying)</option>
      <option value="0.3">at 30% adopted (incl. complying)</option>
      <option value="0.5">at 50% adopted (incl. complying)</option>
    </select></label>
</fieldset>`;

function setSelect(select, value) {
  const v = String(value);
  if (![...select.options].some((o) => o.value === v)) el('option', { value: v, text: v }, select);
  select.value = v;
}

/** The role of person i in words, from the org chart. */
function roleOf(t, i, depth) {
  const leads = t.leads[i];
  if (t.manager[i] < 0) return 'the top leader';
  if (depth[i] === 1 && leads) return 'department head';
  return leads ? 'manager' : 'staff';
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
    this.driversEl = root.querySelector('.drivers');
    this.errorEl = root.querySelector('.error');
    this.personEl = root.querySelector('.person');
    this.controls = root.querySelector('.controls');
    this.controls.innerHTML = CONTROLS;
    this.form = Object.fromEntries([...this.controls.querySelectorAll('[name]')].map((c) => [c.name, c]));
    this.token = 0;
    this.trial = null;
    this.nodes = [];
    this.shown = [];
    this.status = null;
    this.debounce = null;
    this.moments = [];
    this.pinned = -1;

    for (const p of page.presets) el('option', { value: p.id, text: p.label }, this.select);
    el('option', { value: 'custom', text: 'Custom strategy' }, this.select);
    // A preset change waits a moment, so that stepping through the list with
    // the arrow keys starts one run, not one per option passed.
    this.select.addEventListener('change', () => {
      if (this.select.value !== 'custom') this.applyPreset(this.select.value);
      this.later(250);
    });
    for (const control of Object.values(this.form)) {
      control.addEventListener('input', () => {
        this.showValues();
        this.select.value = 'custom';
        this.desc.textContent = 'Custom strategy: adjusted under "Adjust strategy".';
        this.later(450);
      });
    }
    root.querySelector('.retry').addEventListener('click', () => this.start());
    // Hover or tap on a person: who they are and how many listen to them.
    this.orgSvg.addEventListener('pointerover', (e) => {
      const i = e.target.dataset ? Number(e.target.dataset.i) : NaN;
      if (Number.isInteger(i) && this.pinned < 0) this.showPerson(i);
    });
    this.orgSvg.addEventListener('pointerleave', () => { if (this.pinned < 0) this.showPerson(-1); });
    this.orgSvg.addEventListener('click', (e) => {
      const i = e.target.dataset ? Number(e.target.dataset.i) : NaN;
      this.pinned = Number.isInteger(i) && i !== this.pinned ? i : -1;
      this.showPerson(this.pinned);
    });
    this.applyPreset(presetId);
    this.drawChart();
  }

  later(ms) {
    clearTimeout(this.debounce);
    this.setStatus('pending');
    this.debounce = setTimeout(() => this.start(), ms);
  }

  applyPreset(id) {
    const preset = page.presets.find((p) => p.id === id);
    if (!preset) return;
    this.select.value = id;
    this.desc.textContent = preset.description;
    this.fillForm(preset.strategy);
  }

  /** Puts a strategy (as the server writes it) into the controls. */
  fillForm(s) {
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

  /** The strategy of the request: a preset is sent by name (the server scales it to the organization). */
  strategy() {
    if (this.select.value !== 'custom') return { preset: this.select.value, mandate: { start: page.start } };
    return { ...this.customStrategy(), mandate: { ...this.customStrategy().mandate, start: page.start } };
  }

  customStrategy() {
    const f = this.form;
    const [issuers, levels] = f.issuers.value.split(':');
    const halfLife = f.half_life.value === 'sustained' ? 'sustained' : Number(f.half_life.value);
    return {
      mandate: { issuers, levels: levels ? Number(levels) : 1, intensity: Number(f.intensity.value), half_life: halfLife },
      champions: { count: Number(f.count.value), selection: f.selection.value, coalition: f.coalition.checked },
      bridges: Number(f.bridges.value),
      formalize_at: f.formalize.value === 'never' ? null : Number(f.formalize.value),
    };
  }

  /** What the shareable link keeps of this side. */
  settings() {
    return this.select.value === 'custom' ? { custom: this.customStrategy() } : { preset: this.select.value };
  }

  restore(settings) {
    if (settings.preset && page.presets.some((p) => p.id === settings.preset)) this.applyPreset(settings.preset);
    else if (settings.custom) {
      const d = page.presets.find((p) => p.id === 'none').strategy;
      const c = settings.custom;
      this.fillForm({
        mandate: { ...d.mandate, ...(c.mandate || {}) },
        champions: { ...d.champions, ...(c.champions || {}) },
        bridges: c.bridges ?? d.bridges,
        formalize_at: c.formalize_at ?? null,
      });
      this.select.value = 'custom';
      this.desc.textContent = 'Custom strategy: adjusted under "Adjust strategy".';
    }
  }

  label() {
    return this.select.value === 'custom' ? `Custom strategy ${this.name}` : this.select.selectedOptions[0].textContent;
  }

  /** The strategy's name as text (presentation mode shows it in full, where a list would cut it). */
  showTitle() {
    this.root.querySelector('.side-title').textContent = this.label();
  }

  setStatus(status) {
    this.root.dataset.status = status;
    this.showTitle();
    updateVerdict();
  }

  showError(message) {
    this.errorEl.hidden = !message;
    this.errorEl.querySelector('.error-text').textContent = message || '';
    if (message) {
      this.progress.textContent = '';
      this.captionEl.textContent = '';
      this.driversEl.textContent = '';
      this.setStatus('error');
      // Nothing that still says "computing" or shows the last run's numbers as if current.
      this.showWeek(page.week);
      this.drawChart();
    }
  }

  // Each run belongs to one call of start(): the call that created it polls
  // it, and cancels it once a newer start() has taken over. No other code
  // sends a request for it, so none can arrive after its DELETE (which would
  // answer 404 and show as an error in the browser's console).
  async start() {
    clearTimeout(this.debounce);
    const token = ++this.token;
    try {
      await this.run(token);
    } catch (e) {
      // Whatever went wrong, the side says so and "Try again" starts afresh.
      if (token === this.token) this.showError(`Something went wrong on this side (${e.message}).`);
    }
  }

  async run(token) {
    this.status = null;
    this.trial = null;
    this.moments = [];
    this.root.dataset.animation = 'waiting';
    this.root.dataset.trials = '0';
    this.showError('');
    this.setStatus('running');
    this.progress.textContent = 'starting...';
    this.captionEl.textContent = 'Computing the runs of this strategy...';
    this.driversEl.textContent = '';
    this.orgSvg.classList.add('stale');
    this.showPerson(-1);
    this.showWeek(page.week);
    this.drawChart();
    updateLink();
    const body = { strategy: this.strategy(), organization: { ...page.org }, trials: page.trials, steps: page.steps, seed: page.seed };
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
        if (token !== this.token) return;
        continue;
      }
      break;
    }
    if (!answer.ok) {
      this.showError(answer.data && answer.data.error ? answer.data.error : `The server refused the run (${answer.status}).`);
      return;
    }
    await this.poll(token, answer.data.id);
  }

  async poll(token, id) {
    for (;;) {
      if (token !== this.token) return cancelRun({ ok: true, data: { id } });
      let answer;
      try {
        answer = await api('GET', `/api/runs/${id}`);
      } catch (e) {
        if (token === this.token) this.showError(`Lost contact with the server (${e.message}). Start groundswell serve again, then press "Try again".`);
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
      if (s.trial_ready && !this.trial) {
        try {
          await this.loadTrial(token, id);
        } catch (e) {
          if (token === this.token) this.showError(`Lost contact with the server (${e.message}). Start groundswell serve again, then press "Try again".`);
          return;
        }
      }
      if (token !== this.token) return cancelRun({ ok: true, data: { id } });
      this.progress.textContent = s.status === 'done' ? `${s.trials} runs` : `${s.trials_done} of ${s.trials} runs`;
      this.drawChart();
      this.captionEl.textContent = s.caption || 'Computing the runs of this strategy...';
      this.showDrivers();
      if (s.status === 'failed') return this.showError(s.error || 'The run failed.');
      if (s.status === 'cancelled') return this.showError('The run was cancelled (the server is stopping?).');
      if (s.status === 'done') {
        if (this.select.value !== 'custom' && s.request && s.request.strategy) this.fillForm(s.request.strategy);
        return this.setStatus('done');
      }
      await sleep(POLL_MS);
    }
  }

  async loadTrial(token, id) {
    const answer = await api('GET', `/api/runs/${id}/trial`);
    if (token !== this.token || !answer.ok) return;
    this.trial = answer.data;
    this.drawOrg();
    this.moments = findMoments(this);
    this.root.dataset.animation = 'ready';
    this.showWeek(page.week);
    updateOrgWords(this.trial);
  }

  /** Who drove the adoption: each role's share of the credit of people listened to (MODEL.md 7). */
  showDrivers() {
    const a = this.status && this.status.attribution;
    this.driversEl.replaceChildren();
    if (!a) return;
    if (!a.credit_trials) {
      this.driversEl.textContent = 'Who drove internalization: nobody through colleagues (no one was won over by the people they listen to).';
      return;
    }
    this.driversEl.title = 'Each internalization caused by the people someone listens to is credited to them, in proportion to their pull (MODEL.md 7); the shares of that credit, mean over the runs.';
    el('span', { class: 'drivers-title', text: 'Who drove internalization: ' }, this.driversEl);
    const parts = [['champions', 'change agents'], ['formal_leaders', 'formal leaders'], ['others', 'everyone else']];
    parts.forEach(([key, words], k) => {
      const v = a.credit[key] || 0;
      el('span', { class: `driver ${key}`, 'data-role': key, text: `${words} ${pct(v)}` }, this.driversEl);
      if (k < parts.length - 1) this.driversEl.append(', ');
    });
    this.root.dataset.drivers = JSON.stringify(a.credit);
  }

  // ------------------------------------------------------------ the org chart

  drawOrg() {
    const t = this.trial;
    const svg = this.orgSvg;
    svg.replaceChildren();
    svg.classList.remove('stale');
    const { pos, width, height, departments } = layoutOrg(t);
    svg.setAttribute('viewBox', `-0.3 0 ${width + 0.6} ${height}`);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');

    const back = el('svg:g', { class: 'departments' }, svg);
    for (const d of departments) {
      el('svg:rect', { x: d.x0 - 0.45, y: d.y0, width: d.x1 - d.x0 + 0.9, height: d.y1 - d.y0, rx: 0.6, class: `dept dept${d.index % 2}` }, back);
      // As long a name as the box has room for (a label is about 0.5 units a letter).
      const room = d.x1 - d.x0 + 0.9;
      const label = room >= 6.2 ? `Department ${d.index + 1}` : room >= 4 ? `Dept. ${d.index + 1}` : String(d.index + 1);
      el('svg:text', { x: (d.x0 + d.x1) / 2, y: d.y1 + 0.95, class: 'dept-label', text: label }, back);
    }

    // Informal "listens-to" ties, faint; ties across departments a little stronger.
    let inside = '';
    let across = '';
    const listeners = new Uint32Array(t.size);
    for (let e = 0; e + 1 < t.ties.length; e += 2) {
      const a = pos[t.ties[e]];
      const b = pos[t.ties[e + 1]];
      listeners[t.ties[e + 1]] += 1;
      const seg = `M${a.x.toFixed(2)} ${a.y.toFixed(2)}L${b.x.toFixed(2)} ${b.y.toFixed(2)}`;
      if (t.department[t.ties[e]] === t.department[t.ties[e + 1]]) inside += seg;
      else across += seg;
    }
    el('svg:path', { d: inside, class: 'tie inside' }, svg);
    el('svg:path', { d: across, class: 'tie across' }, svg);
    // Everyone also listens to their manager.
    for (let i = 0; i < t.size; ++i) if (t.manager[i] >= 0) listeners[t.manager[i]] += 1;
    t.listeners = listeners;

    // The formal hierarchy: elbow lines from each manager to its reports.
    let formal = '';
    const depth = new Int32Array(t.size);
    t.leads = new Uint32Array(t.size);
    for (let i = 0; i < t.size; ++i) {
      const m = t.manager[i];
      if (m < 0) continue;
      t.leads[m] += 1;
      const a = pos[m];
      const b = pos[i];
      if (b.stacked) formal += `M${b.x} ${a.y}L${b.x} ${b.y}`;
      else {
        const mid = (a.y + b.y) / 2;
        formal += `M${a.x} ${a.y}L${a.x} ${mid}L${b.x} ${mid}L${b.x} ${b.y}`;
      }
    }
    for (let i = 0; i < t.size; ++i) {
      let d = 0;
      for (let m = t.manager[i]; m >= 0 && d < t.size; m = t.manager[m]) ++d;
      depth[i] = d;
    }
    t.depth = depth;
    el('svg:path', { d: formal, class: 'formal' }, svg);

    // Informal leaders: the most listened-to 5% of people (by informal ties, not the manager tie).
    const informal = new Uint32Array(t.size);
    for (let e = 1; e < t.ties.length; e += 2) informal[t.ties[e]] += 1;
    const order = [...informal.keys()].sort((p, q) => informal[q] - informal[p] || p - q);
    const top = new Set(order.slice(0, Math.max(1, Math.round(t.size * 0.05))));
    t.informal = informal;

    const champions = new Set(t.champions);
    const issuers = new Set(t.issuers);
    const people = el('svg:g', { class: 'people' }, svg);
    this.nodes = new Array(t.size);
    this.shown = new Array(t.size).fill('');
    for (let i = 0; i < t.size; ++i) {
      const p = pos[i];
      if (issuers.has(i)) el('svg:rect', { x: p.x - 0.62, y: p.y - 0.62, width: 1.24, height: 1.24, class: 'issuer-mark' }, people);
      const node = t.leads[i]
        ? el('svg:rect', { x: p.x - 0.4, y: p.y - 0.4, width: 0.8, height: 0.8, class: 'node leader' }, people)
        : el('svg:circle', { cx: p.x, cy: p.y, r: 0.38, class: 'node' }, people);
      node.setAttribute('fill', COLORS.N);
      node.dataset.i = String(i);
      if (top.has(i)) node.classList.add('informal-leader');
      if (champions.has(i)) {
        node.classList.add('champion');
        el('svg:circle', { cx: p.x, cy: p.y, r: 0.62, class: 'champion-mark' }, people);
      }
      this.nodes[i] = node;
    }
    this.root.dataset.nodes = String(t.size);
    this.root.dataset.informalLeaders = String(top.size);
  }

  showPerson(i) {
    const box = this.personEl;
    const t = this.trial;
    if (i < 0 || !t || i >= t.size || !t.listeners) {
      box.hidden = true;
      this.root.dataset.person = '';
      return;
    }
    const w = Math.min(page.week, t.states.length - 1);
    const state = WORDS[t.states[w][i]];
    const marks = [];
    if (t.champions.includes(i)) marks.push('change agent');
    if (t.issuers.includes(i)) marks.push('issued the mandate');
    if (t.leads[i]) marks.push('formal leader');
    box.replaceChildren();
    el('strong', { text: `Person ${i + 1}: ${roleOf(t, i, t.depth)}` }, box);
    el('span', { text: `${marks.length ? `${marks.join(', ')}; ` : ''}department ${t.department[i] + 1}` }, box);
    el('span', { text: `week ${w}: ${state}` }, box);
    const reports = t.listeners[i] - t.informal[i];
    el('span', { text: `${t.listeners[i]} listen to them${reports ? `: ${reports} report to them, ${t.informal[i]} by informal ties` : ''}` }, box);
    box.hidden = false;
    this.root.dataset.person = String(i);
  }

  showWeek(week) {
    this.now.replaceChildren();
    const head = el('div', { class: 'now-head' }, this.now);
    const counts = el('div', { class: 'now-counts' }, this.now);
    if (!this.trial) {
      const status = this.root.dataset.status;
      el('span', { class: 'week', text: status === 'running' || status === 'pending' ? 'One run, computing...' : status === 'error' ? 'One run: not available' : 'One run' }, head);
      return;
    }
    const w = Math.max(0, Math.min(Math.floor(week), this.trial.states.length - 1));
    const row = this.trial.states[w];
    const n = { N: 0, C: 0, A: 0, R: 0 };
    for (let i = 0; i < row.length; ++i) {
      const s = row[i];
      n[s] += 1;
      if (this.shown[i] !== s) {
        this.nodes[i].setAttribute('fill', COLORS[s]);
        this.shown[i] = s;
      }
    }
    el('span', { class: 'week', text: `One run, week ${w}` }, head);
    if (this.trial.formalized_at >= 0 && w >= this.trial.formalized_at)
      el('span', { class: 'event', text: `formalized in week ${this.trial.formalized_at}` }, head);
    for (const s of ['A', 'C', 'R', 'N']) {
      const c = el('span', { class: `count ${s}`, 'data-state': s }, counts);
      el('b', { class: 'num', text: pct(n[s] / row.length) }, c);
      c.append(` ${WORDS[s]}`);
    }
    this.countsText = `One run, week ${w}: ${['A', 'C', 'R', 'N'].map((s) => `${pct(n[s] / row.length)} ${WORDS[s]}`).join(', ')}`;
    this.root.dataset.internalized = String(n.A);
    this.root.dataset.complying = String(n.C);
    this.root.dataset.resisting = String(n.R);
    this.root.dataset.week = String(w);
    this.drawCursor(w);
    if (this.root.dataset.person) this.showPerson(Number(this.root.dataset.person));
  }

  // ------------------------------------------------------------ the curves

  drawChart() {
    const svg = this.chartSvg;
    // The viewBox is the element's own size, so that sizes below are screen pixels.
    const box = svg.getBoundingClientRect();
    const W = Math.max(300, Math.round(box.width) || 820);
    const H = Math.max(150, Math.round(box.height) || 250);
    // Presentation mode: numbers 1.4 rem (28 px at 20 px type), words and ticks 1 rem.
    const big = page.present;
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 20;
    const labelSize = big ? Math.round(rem * 1.4) : Math.round(Math.min(19, Math.max(14, W / 44)));
    const wordSize = big ? Math.round(rem) : labelSize - 2;
    const tickSize = big ? Math.round(rem) : Math.max(13, labelSize - 3);
    const gap = Math.ceil(labelSize * 1.2);  // between end labels' baselines: a label's whole height
    const labelWidth = this.measureLabel(labelSize, wordSize) + 14;  // the widest end label, "100% internalized"
    const m = { left: Math.ceil(tickSize * 3.6) + 10, right: labelWidth, top: Math.max(12, labelSize - 8), bottom: tickSize + 22 };
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
      el('svg:text', { x: m.left - 6, y: y(v) + tickSize * 0.35, class: 'tick y', 'font-size': tickSize, text: pct(v) }, grid);
    }
    // Week ticks at least 3 digits' widths apart; "weeks" in the corner left of week 0.
    const plot = W - m.left - m.right;
    const every = [4, 13, 26, 52].find((e) => (plot * e) / steps >= tickSize * 3) || steps;
    for (let t = 0; t <= steps; t += every) {
      el('svg:line', { x1: x(t), x2: x(t), y1: y(0), y2: y(0) + 6, class: 'axis' }, grid);
      el('svg:text', { x: x(t), y: y(0) + tickSize + 6, class: `tick x${t === steps ? ' last' : ''}`, 'font-size': tickSize, text: String(t) }, grid);
    }
    el('svg:text', { x: m.left - tickSize * 0.4 - 3, y: y(0) + tickSize + 6, class: 'axis-title', 'font-size': tickSize, text: 'weeks' }, grid);

    const curves = this.status && this.status.curves;
    if (!curves) {
      el('svg:text', { x: (m.left + W - m.right) / 2, y: H / 2, class: 'empty', 'font-size': tickSize, text: this.root.dataset.status === 'running' ? 'computing...' : this.root.dataset.status === 'error' ? 'no curves (see the message below)' : '' }, svg);
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
        el('svg:path', { d: line, stroke: COLORS[s], class: `median ${s}`, 'stroke-width': big ? 5 : 4 }, lines);
      }
      // Labels at the right end, in the order of their values, `gap` apart and
      // all inside the chart: first placed at their values, then pushed down
      // from the top limit, then up from the bottom limit (three labels always
      // fit: the chart is at least 3 gaps high).
      const ends = order.map((s) => ({ s, v: curves[s].median[curves[s].median.length - 1] }));
      ends.sort((a, b) => b.v - a.v);
      const topLimit = Math.ceil(labelSize * 0.95) + 1;  // the ascent of the first label inside
      const bottomLimit = H - Math.ceil(labelSize * 0.3) - 1;  // the descent of the last one
      let last = topLimit - gap;
      for (const e of ends) {
        e.y = Math.max(y(e.v) + labelSize * 0.35, last + gap);
        last = e.y;
      }
      let limit = bottomLimit;
      for (let k = ends.length - 1; k >= 0; --k) {
        ends[k].y = Math.min(ends[k].y, limit);
        limit = ends[k].y - gap;
      }
      const labels = el('svg:g', { class: 'end-labels' }, svg);
      for (const e of ends) {
        const label = el('svg:text', { x: W - m.right + 8, y: e.y.toFixed(1), fill: COLORS[e.s], class: `end-label ${e.s}`, 'data-state': e.s }, labels);
        el('svg:tspan', { class: 'num', 'font-size': labelSize, text: pct(e.v) }, label);
        el('svg:tspan', { class: 'word', 'font-size': wordSize, text: ` ${CURVE_LABELS[e.s]}` }, label);
      }
    }
    this.cursor = el('svg:g', { class: 'cursor' }, svg);
    this.drawCursor(page.week);
  }

  /** The width in pixels of the widest end label at these sizes, measured in the chart itself. */
  measureLabel(labelSize, wordSize) {
    const probe = el('svg:text', { class: 'end-label', x: 0, y: -100 }, this.chartSvg);
    el('svg:tspan', { class: 'num', 'font-size': labelSize, text: '100%' }, probe);
    el('svg:tspan', { class: 'word', 'font-size': wordSize, text: ' internalized' }, probe);
    let width = 0;
    try { width = probe.getComputedTextLength(); } catch { width = 0; }
    probe.remove();
    return Math.ceil(width || labelSize * 0.62 * 4 + wordSize * 0.56 * 13);
  }

  drawCursor(week) {
    if (!this.cursor || !this.chartX) return;
    this.cursor.replaceChildren();
    const w = Math.min(week, page.steps);
    const cx = this.chartX(w);
    el('svg:line', { x1: cx, x2: cx, y1: this.chartTop, y2: this.chartBottom, class: 'cursor-line' }, this.cursor);
  }

  /** The curves as tidy CSV rows: side, strategy, state, week, median, low, high. */
  csvRows() {
    const c = this.status && this.status.curves;
    if (!c) return [];
    const rows = [];
    const label = `"${this.label().replace(/"/g, '""')}"`;
    for (const s of ['A', 'C', 'R', 'N'])
      for (let t = 0; t < c[s].median.length; ++t)
        rows.push(`${this.name},${label},${CSV_STATES[s]},${t},${c[s].median[t]},${c[s].low[t]},${c[s].high[t]}`);
    return rows;
  }
}

// ---------------------------------------------------------------- the story

/** The key moments of a side's animated run, each with one plain sentence. */
function findMoments(side) {
  const t = side.trial;
  const s = side.status && side.status.request ? side.status.request.strategy : null;
  const n = t.size;
  const moments = [];
  const who = s && s.mandate.issuers === 'top' ? 'The top leader of side X announces the change and tells' : 'The formal leaders of side X announce the change and tell';
  if (t.issuers.length && s) {
    moments.push({ week: Math.min(s.mandate.start, page.steps), kind: 'mandate',
      text: `${who.replace('X', side.name)} everyone to do it. Watch for amber: people going along because they were told to.` });
  }
  const count = (w, c) => { let k = 0; const row = t.states[w]; for (let i = 0; i < row.length; ++i) if (row[i] === c) ++k; return k; };
  let peak = 0;
  let peakWeek = -1;
  for (let w = 0; w < t.states.length; ++w) {
    const c = count(w, 'C');
    if (c > peak) { peak = c; peakWeek = w; }
  }
  if (peak >= 0.05 * n) {
    moments.push({ week: peakWeek, kind: 'peak',
      text: `On side ${side.name} compliance is at its peak: ${pct(peak / n)} go along because they were told to; only ${pct(count(peakWeek, 'A') / n)} have internalized it.` });
    for (let w = peakWeek + 1; w < t.states.length; ++w) {
      if (count(w, 'C') <= peak / 2) {
        moments.push({ week: w, kind: 'lapse',
          text: `Compliance on side ${side.name} is down to ${pct(count(w, 'C') / n)}, half its peak: going along lasts only while the pressure does, unless people come to believe in it.` });
        break;
      }
    }
  }
  if (t.formalized_at >= 0) {
    moments.push({ week: t.formalized_at, kind: 'formalization',
      text: `Enough people on side ${side.name} have taken the change up, so the leaders make it official: endorsement and resources, not orders.` });
  }
  for (let w = 0; w < t.states.length; ++w) {
    if (count(w, 'A') >= n / 2) {
      moments.push({ week: w, kind: 'half',
        text: `Half of the organization on side ${side.name} has internalized the change: they do it out of their own conviction.` });
      break;
    }
  }
  side.root.dataset.moments = moments.map((m) => `${m.kind}:${m.week}`).join(' ');
  return moments;
}

/** The moments of the tour in weeks from..to (both sides, in order of weeks). */
function momentsBetween(from, to) {
  const all = page.sides.flatMap((s) => s.moments);
  return all.filter((m) => m.week >= from && m.week <= to).sort((p, q) => p.week - q.week);
}

let narrated = new Set();
function narrate(moment) {
  const box = document.getElementById('narration');
  box.querySelector('.narration-week').textContent = `Week ${moment.week}`;
  box.querySelector('.narration-text').textContent = moment.text;
  box.dataset.kind = moment.kind;
  box.hidden = false;
  document.getElementById('narration-next').focus({ preventScroll: true });
}

function endNarration() {
  document.getElementById('narration').hidden = true;
}

function setTour(on) {
  page.tour = on;
  narrated = new Set();
  const button = document.getElementById('tour');
  button.setAttribute('aria-pressed', on ? 'true' : 'false');
  button.textContent = on ? 'End tour' : 'Guided tour';
  document.body.dataset.tour = on ? 'yes' : 'no';
  endNarration();
  if (on) {
    const box = document.getElementById('narration');
    box.querySelector('.narration-week').textContent = 'Guided tour';
    box.querySelector('.narration-text').textContent =
      'Two strategies, the same people. The tour plays both runs and stops at the moments that matter. Press Continue.';
    box.dataset.kind = 'intro';
    box.hidden = false;
    showWeek(0);
    document.getElementById('narration-next').focus({ preventScroll: true });
  } else {
    setPlaying(false);
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

/** Shows whole week `week` on both sides (a fraction is never shown). */
function showWeek(week) {
  page.week = Math.max(0, Math.min(page.steps, Math.floor(week)));
  const w = page.week;
  document.body.dataset.week = String(w);
  document.getElementById('week').value = String(w);
  document.getElementById('week-out').textContent = String(w);
  for (const side of page.sides) {
    try {
      side.showWeek(w);
    } catch (e) {
      side.showError(`This side could not show week ${w} (${e.message}).`);
    }
  }
  if (!page.playing) updatePlayButton();
}

let lastFrame = null;
let clock = 0;  // the fraction of a week played since the last whole week
function frame(now) {
  if (!page.playing) return;
  if (lastFrame !== null) {
    clock += ((now - lastFrame) / 1000) * page.speed;
    if (clock >= 1) {
      const from = page.week;
      const to = Math.min(page.steps, from + Math.floor(clock));
      clock -= Math.floor(clock);
      const stop = page.tour ? momentsBetween(from, to).find((m) => !narrated.has(m)) : null;
      if (stop) {
        narrated.add(stop);
        showWeek(stop.week);
        setPlaying(false);
        narrate(stop);
        return;
      }
      showWeek(to);
      if (to >= page.steps) {
        setPlaying(false);
        if (page.tour) {
          narrate({ week: page.steps, kind: 'end', text: document.getElementById('verdict').textContent || 'The end of the runs.' });
        }
        return;
      }
    }
  }
  lastFrame = now;
  requestAnimationFrame(frame);
}

function updatePlayButton() {
  const button = document.getElementById('play');
  const on = page.playing;
  button.innerHTML = on ? '&#10074;&#10074; Pause' : page.week >= page.steps ? '&#8634; Replay' : '&#9654; Play';
  button.setAttribute('aria-label', on ? 'Pause' : page.week >= page.steps ? 'Replay' : 'Play');
}

function setPlaying(on) {
  page.playing = on;
  document.body.dataset.playing = on ? 'yes' : 'no';
  if (on) {
    endNarration();
    if (page.week >= page.steps) {
      showWeek(0);
      narrated = new Set();
    }
    lastFrame = null;
    clock = 0;
    requestAnimationFrame(frame);
  }
  updatePlayButton();
}

function step(by) {
  setPlaying(false);
  endNarration();
  showWeek(page.week + by);
}

// ---------------------------------------------------------------- verdict

function updateVerdict() {
  const verdict = document.getElementById('verdict');
  verdict.replaceChildren();
  if (!page.sides.length) return;
  if (page.sides.some((s) => s.root.dataset.status === 'error')) {
    verdict.textContent = 'One side could not run; see its message below.';
    return;
  }
  if (page.sides.some((s) => s.root.dataset.status !== 'done' || !s.status || !s.status.curves)) {
    verdict.textContent = 'Computing both strategies...';
    return;
  }
  const rows = page.sides.map((s) => {
    const a = s.status.curves.A.median;
    return { label: s.label(), name: s.name, internalized: a[a.length - 1] };
  });
  rows.sort((p, q) => q.internalized - p.internalized);
  const [best, other] = rows;
  const weeks = page.steps;
  const num = (share) => el('b', { class: 'num', text: pct(share) });
  if (Math.abs(best.internalized - other.internalized) < 0.03) {
    verdict.append(`After ${weeks} weeks both strategies end close together: `, num(best.internalized), ' and ',
      num(other.internalized), ' internalized (median run).');
  } else {
    verdict.append(`After ${weeks} weeks, ${best.name} (${best.label}) has `, num(best.internalized), ' internalized; ',
      `${other.name} (${other.label}) has `, num(other.internalized), ' internalized (median run).');
  }
}

function updateOrgWords(t) {
  document.getElementById('org-size').textContent = String(t.size);
  document.getElementById('org-departments').textContent = String(t.departments);
}

// ---------------------------------------------------------------- presentation mode

function setPresent(on, fullscreen) {
  page.present = on;
  document.documentElement.classList.toggle('present', on);
  const button = document.getElementById('present');
  button.setAttribute('aria-pressed', on ? 'true' : 'false');
  button.textContent = on ? 'Normal view' : 'Present';
  if (fullscreen && on && document.fullscreenEnabled && !document.fullscreenElement)
    document.documentElement.requestFullscreen().catch(() => {});
  if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
  updateLink();
  redraw();
}

function redraw() {
  for (const side of page.sides) side.drawChart();
}

function setHighlight(mode) {
  page.highlight = mode;
  for (const side of page.sides) {
    side.orgSvg.classList.toggle('hl-informal', mode === 'informal');
    side.orgSvg.classList.toggle('hl-formal', mode === 'formal');
  }
  document.body.dataset.highlight = mode;
}

// ---------------------------------------------------------------- export and link

/** A copy of `svg` with the computed styles written into it, so it draws alone as an image. */
function standalone(svg) {
  const copy = svg.cloneNode(true);
  const from = [svg, ...svg.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  const keys = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'opacity',
    'font-size', 'font-weight', 'font-family', 'text-anchor', 'display'];
  // Presentation attributes, not a style attribute: the page's
  // Content-Security-Policy allows no inline style.
  from.forEach((node, k) => {
    const cs = getComputedStyle(node);
    for (const p of keys) to[k].setAttribute(p, cs.getPropertyValue(p));
  });
  const box = svg.getBoundingClientRect();
  copy.setAttribute('width', String(Math.round(box.width)));
  copy.setAttribute('height', String(Math.round(box.height)));
  copy.setAttribute('xmlns', SVG);
  return { text: new XMLSerializer().serializeToString(copy), width: box.width, height: box.height };
}

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('the picture could not be drawn'));
    img.src = src;
  });
}

/** The current view of both sides (org charts, curves, counts and verdict) as a PNG. */
async function savePng() {
  const scale = 2;
  const pad = 16;
  const parts = [];
  for (const side of page.sides) {
    parts.push({ side, org: standalone(side.orgSvg), chart: standalone(side.chartSvg) });
  }
  const colW = Math.max(...parts.map((p) => Math.max(p.org.width, p.chart.width)));
  const line = 26;
  // The verdict, wrapped to the picture's width.
  const measure = el('canvas').getContext('2d');
  measure.font = 'bold 20px sans-serif';
  const heading = [];
  for (const word of `Week ${page.week} of ${page.steps}. ${document.getElementById('verdict').textContent}`.split(' ')) {
    const lineSoFar = heading.length ? `${heading[heading.length - 1]} ${word}` : word;
    if (heading.length && measure.measureText(lineSoFar).width <= 2 * colW + pad) heading[heading.length - 1] = lineSoFar;
    else heading.push(word);
  }
  const title = 10 + heading.length * line;
  const height = title + 2 * line + 4 + Math.max(...parts.map((p) => p.org.height + p.chart.height)) + 8 + pad;
  const canvas = el('canvas', { width: String(Math.round((2 * colW + 3 * pad) * scale)), height: String(Math.round(height * scale)) });
  const g = canvas.getContext('2d');
  g.scale(scale, scale);
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, 2 * colW + 3 * pad, height);
  g.fillStyle = '#1d1d1f';
  g.font = 'bold 20px sans-serif';
  heading.forEach((text, k) => g.fillText(text, pad, 24 + k * line));
  for (let k = 0; k < parts.length; ++k) {
    const p = parts[k];
    const x0 = pad + k * (colW + pad);
    let y0 = title;
    g.fillStyle = '#1d1d1f';
    g.font = 'bold 18px sans-serif';
    g.fillText(`${p.side.name}: ${p.side.label()}`, x0, y0 + 18, colW);
    g.font = '15px sans-serif';
    g.fillText(p.side.countsText || '', x0, y0 + 18 + line, colW);
    y0 += 2 * line + 4;
    for (const part of [p.org, p.chart]) {
      const img = await loadImage(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(part.text)}`);
      g.drawImage(img, x0, y0, part.width, part.height);
      y0 += part.height + 4;
    }
  }
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  download(blob, `groundswell-week-${page.week}.png`);
}

function saveCsv() {
  const rows = ['side,strategy,state,week,median,low,high', ...page.sides.flatMap((s) => s.csvRows())];
  download(new Blob([`${rows.join('\n')}\n`], { type: 'text/csv' }), `groundswell-curves-seed-${page.seed}.csv`);
}

/** The page's settings as the address's query: both sides, the organization, seed and runs. */
function linkQuery() {
  const q = new URLSearchParams();
  page.sides.forEach((s) => {
    const v = s.settings();
    q.set(s.name.toLowerCase(), v.preset || JSON.stringify(v.custom));
  });
  q.set('seed', String(page.seed));
  q.set('trials', String(page.trials));
  q.set('size', String(page.org.size));
  q.set('span', String(page.org.span));
  q.set('cross', String(page.org.cross_department));
  q.set('start', String(page.start));
  if (page.present) q.set('present', '1');
  return q.toString();
}

function updateLink() {
  if (page.sides.length < 2) return;
  history.replaceState(null, '', `${location.pathname}?${linkQuery()}`);
}

function readLink() {
  const q = new URLSearchParams(location.search);
  const number = (key, lo, hi) => {
    const v = Number(q.get(key));
    return q.has(key) && Number.isFinite(v) && v >= lo && v <= hi ? v : null;
  };
  const out = { sides: {} };
  for (const name of ['a', 'b']) {
    const v = q.get(name);
    if (!v) continue;
    if (v.startsWith('{')) {
      try { out.sides[name] = { custom: JSON.parse(v) }; } catch { /* ignored: not a strategy */ }
    } else out.sides[name] = { preset: v };
  }
  out.seed = number('seed', 0, 4294967295);
  out.trials = number('trials', 1, 500);
  out.size = number('size', 10, 1000);
  out.span = number('span', 2, 12);
  out.cross = number('cross', 0, 1);
  out.start = number('start', 1, STEPS);
  out.present = q.get('present') === '1';
  return out;
}

function setOption(id, value) {
  const select = document.getElementById(id);
  setSelect(select, value);
}

// ---------------------------------------------------------------- start

function runBoth() {
  for (const side of page.sides) side.start();
}

/** Keys: space plays or pauses and the arrows step a week, except where a control needs them. */
function onKey(e) {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
  const target = e.target instanceof Element ? e.target : document.body;
  if (e.key === 'Escape') {
    endNarration();
    return;
  }
  if (target.closest('dialog[open]')) return;
  const arrow = e.key === 'ArrowRight' || e.key === 'ArrowLeft';
  // A range slider and a text field use every key; a select keeps up and down
  // (choosing an option) and space (opening it); a button keeps space and
  // enter (pressing it).
  if (target.closest('input[type=range], input[type=text], input[type=number], textarea')) return;
  if (target.closest('select') && !arrow) return;
  if (target.closest('button, summary, a, input[type=checkbox]') && !arrow) return;
  if (e.key === ' ') {
    e.preventDefault();
    setPlaying(!page.playing);
  } else if (arrow) {
    e.preventDefault();
    step(e.key === 'ArrowRight' ? 1 : -1);
  }
}

async function main() {
  let answer;
  try {
    answer = await api('GET', '/api/presets');
  } catch {
    answer = { ok: false };
  }
  if (!answer.ok) {
    document.getElementById('verdict').textContent = 'Could not reach the server. Is groundswell serve running?';
    return;
  }
  page.presets = answer.data.presets;
  api('GET', '/api/health').then((h) => {
    if (h.ok && h.data && h.data.version) document.getElementById('info-version').textContent = h.data.version;
  }).catch(() => {});
  const link = readLink();
  if (link.seed !== null) page.seed = link.seed;
  if (link.trials !== null) setOption('trials', link.trials);
  if (link.size !== null) setOption('size', link.size);
  if (link.span !== null) setOption('span', link.span);
  if (link.cross !== null) setOption('cross', link.cross);
  if (link.start !== null) setOption('start', link.start);
  document.getElementById('week-max').textContent = String(page.steps);
  const slider = document.getElementById('week');
  slider.max = String(page.steps);
  const readOrg = () => {
    page.trials = Number(document.getElementById('trials').value);
    page.org = {
      size: Number(document.getElementById('size').value),
      span: Number(document.getElementById('span').value),
      cross_department: Number(document.getElementById('cross').value),
    };
    page.start = Number(document.getElementById('start').value);
    document.getElementById('seed').value = String(page.seed);
  };
  readOrg();

  page.sides = [
    new Side(document.getElementById('side-a'), 'top_down'),
    new Side(document.getElementById('side-b'), 'distributed'),
  ];
  if (link.sides.a) page.sides[0].restore(link.sides.a);
  if (link.sides.b) page.sides[1].restore(link.sides.b);

  slider.addEventListener('input', () => {
    setPlaying(false);
    endNarration();
    showWeek(Number(slider.value));
  });
  document.getElementById('play').addEventListener('click', () => setPlaying(!page.playing));
  document.getElementById('back').addEventListener('click', () => step(-1));
  document.getElementById('forward').addEventListener('click', () => step(1));
  document.getElementById('speed').addEventListener('change', (e) => { page.speed = Number(e.target.value); });
  document.getElementById('run').addEventListener('click', runBoth);
  document.getElementById('reshuffle').addEventListener('click', () => {
    page.seed = 1 + Math.floor(Math.random() * 1e9);
    readOrg();
    runBoth();
  });
  // A seed typed in: the same seed and settings give the same runs (common random numbers).
  document.getElementById('seed').addEventListener('change', (e) => {
    const v = Number(e.target.value);
    if (!Number.isInteger(v) || v < 0 || v > 4294967295) {
      e.target.value = String(page.seed);
      return;
    }
    page.seed = v;
    readOrg();
    runBoth();
  });
  for (const id of ['trials', 'size', 'span', 'cross', 'start']) {
    document.getElementById(id).addEventListener('change', () => {
      readOrg();
      runBoth();
    });
  }
  document.getElementById('tour').addEventListener('click', () => setTour(!page.tour));
  document.getElementById('narration-next').addEventListener('click', () => {
    endNarration();
    if (page.week < page.steps) setPlaying(true);
    else setTour(false);
  });
  document.getElementById('narration-end').addEventListener('click', () => setTour(false));
  document.getElementById('present').addEventListener('click', () => setPresent(!page.present, true));
  const info = document.getElementById('info-panel');
  document.getElementById('info').addEventListener('click', () => { setPlaying(false); info.showModal(); });
  document.getElementById('info-close').addEventListener('click', () => info.close());
  document.getElementById('highlight').addEventListener('change', (e) => setHighlight(e.target.value));
  document.getElementById('save-png').addEventListener('click', () => {
    savePng().catch((e) => { document.getElementById('share-out').textContent = `No picture: ${e.message}`; });
  });
  document.getElementById('save-csv').addEventListener('click', saveCsv);
  document.getElementById('share').addEventListener('click', async () => {
    updateLink();
    const out = document.getElementById('share-out');
    try {
      await navigator.clipboard.writeText(location.href);
      out.textContent = 'Link copied: it restores both strategies, the organization and the seed.';
    } catch {
      out.textContent = 'The address bar holds the link: copy it from there.';
    }
  });
  document.addEventListener('keydown', onKey);
  document.addEventListener('fullscreenchange', redraw);
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(redraw, 100);
  });
  if (link.present) setPresent(true, false);
  document.body.dataset.ready = 'yes';
  runBoth();
}

main();
