// The /_carve page: signs an admin in, polls the topology every two seconds and draws
// it. Plain DOM and SVG, no framework and nothing from outside, so it works offline and
// under a strict Content-Security-Policy. Text goes in through textContent only.

const TOKEN_KEY = 'carve.admin.token';
const TOPOLOGY_URL = '/_carve/api/topology';
const POLL_MS = 2000;
const SVG = 'http://www.w3.org/2000/svg';

const NODE_W = 250;
const NODE_H = 96;
const COLUMN_GAP = 300;
const ROW_GAP = 56;
const PAD = 24;

const $ = (id) => document.getElementById(id);
let timer;

function show(view) {
  $('login').hidden = view !== 'login';
  $('view').hidden = view !== 'view';
  $('status').hidden = view !== 'view';
}

function signOut(message = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  clearTimeout(timer);
  $('login-error').textContent = message;
  show('login');
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector('button');
  button.disabled = true;
  $('login-error').textContent = '';
  try {
    const res = await fetch('/api/identity/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: form.email.value, password: form.password.value }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      $('login-error').textContent = body.detail || body.title || `Sign-in failed (${res.status})`;
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, body.token);
    form.password.value = '';
    await poll();
  } catch {
    $('login-error').textContent = 'Could not reach the server.';
  } finally {
    button.disabled = false;
  }
}

async function poll() {
  clearTimeout(timer);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return signOut();
  try {
    const res = await fetch(TOPOLOGY_URL, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 401) return signOut('Your session has ended. Sign in again.');
    if (res.status === 403) return signOut('This account is not an admin.');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    render(await res.json());
    setLive(true);
  } catch {
    setLive(false);
  }
  timer = setTimeout(poll, POLL_MS);
}

function setLive(live) {
  $('live').classList.toggle('stale', !live);
  $('live-text').textContent = live ? 'live' : 'reconnecting…';
}

function render(topology) {
  show('view');
  document.body.dataset.generatedAt = topology.generatedAt;
  $('service').textContent = `process: ${topology.process.service}`;
  $('updated').textContent = `updated ${new Date(topology.generatedAt).toLocaleTimeString()}`;
  $('window').textContent = `rates over the last ${topology.windowSeconds} s`;
  renderSummary(topology);
  renderGraph(topology);
  renderTables(topology);
}

// ---- formatting

function rate(n) {
  if (!n) return '0/s';
  if (n < 0.01) return '<0.01/s';
  return `${n < 10 ? n.toFixed(2) : n.toFixed(1)}/s`;
}

function ms(n) {
  if (n === null || n === undefined) return '–';
  if (n < 1) return `${Math.max(1, Math.round(n * 1000))} µs`;
  return n < 10 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`;
}

function shortEvent(type) {
  return type.slice(type.indexOf('.') + 1);
}

// ---- summary and tables

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderSummary({ modules, edges }) {
  const remote = modules.filter((m) => m.mode === 'remote').length;
  const down = modules.filter((m) => !m.healthy).length;
  const calls = edges.filter((e) => e.kind === 'port').reduce((sum, e) => sum + e.callsPerSecond, 0);
  const backlog = modules.reduce((sum, m) => sum + (m.outboxBacklog ?? 0), 0);
  const stats = [
    ['Modules', String(modules.length)],
    ['In another process', String(remote)],
    ['Unhealthy', String(down), down > 0],
    ['Port calls', rate(calls)],
    ['Outbox backlog', String(backlog), backlog > 0],
  ];
  $('summary').replaceChildren(
    ...stats.map(([label, value, bad]) => {
      const box = el('div', { class: bad ? 'stat bad' : 'stat' });
      box.append(el('b', {}, value), el('span', {}, label));
      return box;
    }),
  );
}

function renderTables({ modules, edges }) {
  $('modules-table').replaceChildren(
    ...modules.map((m) => {
      const row = el('tr', { 'data-row': m.name });
      const runs = el('td');
      runs.append(el('span', { class: `tag ${m.mode}` }, m.mode));
      for (const url of m.urls ?? []) runs.append(el('div', { class: 'mono muted' }, url));
      row.append(
        el('td', {}, m.name),
        runs,
        el('td', { class: m.healthy ? 'ok' : 'bad' }, m.healthy ? 'healthy' : 'down'),
        el('td', { class: m.breaker && m.breaker !== 'closed' ? 'warn' : '' }, m.breaker ?? '–'),
        el('td', { class: 'num' }, m.outboxBacklog === undefined ? '–' : String(m.outboxBacklog)),
        el('td', { class: m.deadEvents ? 'num bad' : 'num' }, m.deadEvents === undefined ? '–' : String(m.deadEvents)),
      );
      return row;
    }),
  );
  $('edges-table').replaceChildren(
    ...edges.map((e) => {
      const row = el('tr', { 'data-row': `${e.from}->${e.to}` });
      const kind = el('td');
      kind.append(el('span', { class: `tag ${e.kind}` }, e.kind));
      if (e.events) kind.append(el('div', { class: 'muted' }, e.events.map(shortEvent).join(', ')));
      row.append(
        el('td', {}, `${e.from} → ${e.to}`),
        kind,
        el('td', { class: 'num' }, rate(e.callsPerSecond)),
        el('td', { class: 'num' }, ms(e.p50Ms)),
        el('td', { class: 'num' }, ms(e.p99Ms)),
        el('td', { class: e.errorsPerSecond ? 'num bad' : 'num' }, rate(e.errorsPerSecond ?? 0)),
      );
      return row;
    }),
  );
}

// ---- the graph

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Columns by longest path from a module nothing points at, so every edge runs left to
 * right where it can; within a column, each module sits near the modules that point at it.
 */
function columns(modules, edges) {
  const rank = new Map(modules.map((m) => [m.name, 0]));
  for (let pass = 0; pass < modules.length; pass++) {
    for (const e of edges) {
      if (e.from !== e.to && rank.get(e.to) <= rank.get(e.from)) rank.set(e.to, Math.min(rank.get(e.from) + 1, modules.length - 1));
    }
  }
  const cols = [];
  for (const m of modules) {
    const r = rank.get(m.name);
    cols[r] = [...(cols[r] ?? []), m.name];
  }
  const row = new Map();
  return cols.filter(Boolean).map((col) => {
    const pull = (name) => {
      const from = edges.filter((e) => e.to === name && row.has(e.from)).map((e) => row.get(e.from));
      return from.length ? from.reduce((a, b) => a + b, 0) / from.length : Number.POSITIVE_INFINITY;
    };
    const sorted = col.sort((a, b) => pull(a) - pull(b) || a.localeCompare(b));
    sorted.forEach((name, i) => {
      row.set(name, i - (sorted.length - 1) / 2);
    });
    return sorted;
  });
}

function layout(modules, edges) {
  const cols = columns(modules, edges);
  const tallest = Math.max(...cols.map((c) => c.length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
  const at = new Map();
  cols.forEach((col, i) => {
    const colHeight = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    const top = (height - colHeight) / 2;
    col.forEach((name, j) => {
      at.set(name, { x: PAD + i * (NODE_W + COLUMN_GAP), y: top + j * (NODE_H + ROW_GAP) });
    });
  });
  return { at, width: PAD * 2 + cols.length * NODE_W + (cols.length - 1) * COLUMN_GAP, height: height + 8 };
}

/** Where on a node's side each of its edges attaches, spread out so they do not overlap. */
function anchors(edges, at) {
  const out = new Map();
  const inn = new Map();
  for (const e of edges) {
    (out.get(e.from) ?? out.set(e.from, []).get(e.from)).push(e);
    (inn.get(e.to) ?? inn.set(e.to, []).get(e.to)).push(e);
  }
  const spread = (list, other) => {
    list.sort((a, b) => at.get(other(a)).y - at.get(other(b)).y || a.kind.localeCompare(b.kind));
    return new Map(list.map((e, i) => [e, ((i + 1) / (list.length + 1)) * NODE_H]));
  };
  const start = new Map();
  const end = new Map();
  for (const list of out.values()) for (const [e, dy] of spread(list, (x) => x.to)) start.set(e, dy);
  for (const list of inn.values()) for (const [e, dy] of spread(list, (x) => x.from)) end.set(e, dy);
  return { start, end };
}

function arrow(id, cls) {
  const marker = svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: cls }));
  return marker;
}

function renderGraph({ modules, edges }) {
  const graph = $('graph');
  const { at, width, height } = layout(modules, edges);
  graph.setAttribute('viewBox', `0 0 ${width} ${height}`);
  graph.setAttribute('width', width);
  graph.setAttribute('height', height);
  const defs = svg('defs');
  defs.append(arrow('arrow-port', 'arrow-port'), arrow('arrow-event', 'arrow-event'));
  const { start, end } = anchors(edges, at);
  const remote = new Set(modules.filter((m) => m.mode === 'remote').map((m) => m.name));
  const curves = edges.map((e) => curve(e, at, start.get(e), end.get(e)));
  const labels = edges.map((e) => labelRows(e, remote.has(e.to)));
  const spots = placeLabels(curves, labels, [...at.values()]);
  graph.replaceChildren(
    defs,
    ...edges.map((e, i) => drawEdge(e, curves[i])),
    ...modules.map((m) => drawNode(m, at.get(m.name))),
    ...edges.map((e, i) => drawLabel(e, labels[i], spots[i])),
  );
}

/** The cubic Bézier an edge follows: across the gap when it runs forward, looping below the nodes otherwise. */
function curve(e, at, dyFrom, dyTo) {
  const a = at.get(e.from);
  const b = at.get(e.to);
  if (b.x > a.x) {
    const p0 = [a.x + NODE_W, a.y + dyFrom];
    const p3 = [b.x - 2, b.y + dyTo];
    return [p0, [p0[0] + COLUMN_GAP / 2, p0[1]], [p3[0] - COLUMN_GAP / 2, p3[1]], p3];
  }
  const p0 = [a.x + NODE_W / 2, a.y + NODE_H];
  const p3 = [b.x + NODE_W / 2, b.y + NODE_H + 2];
  return [p0, [p0[0], p0[1] + 90], [p3[0], p3[1] + 90], p3];
}

function pointAt([p0, p1, p2, p3], t) {
  const u = 1 - t;
  const f = (i) => u * u * u * p0[i] + 3 * u * u * t * p1[i] + 3 * u * t * t * p2[i] + t * t * t * p3[i];
  return [f(0), f(1)];
}

function labelRows(e, toRemote) {
  const rows = [];
  if (e.events) rows.push(['ev', e.events.map(shortEvent).join(', ')]);
  const unit = e.kind === 'event' ? ' events' : '';
  rows.push(['rate', `${rate(e.callsPerSecond).replace('/s', `${unit}/s`)}${toRemote ? ' · over HTTP' : ''}`]);
  rows.push(['lat', `p50 ${ms(e.p50Ms)} · p99 ${ms(e.p99Ms)}`]);
  if (e.errorsPerSecond) rows.push(['lat err', `${rate(e.errorsPerSecond)} failing`]);
  return { rows, w: Math.max(...rows.map(([, t]) => t.length)) * 6.4 + 20, h: rows.length * 15 + 9 };
}

/** Puts each label on its edge where it covers no node and no label placed before it. */
function placeLabels(curves, labels, nodes) {
  const taken = nodes.map(({ x, y }) => ({ x, y, w: NODE_W, h: NODE_H }));
  const overlaps = (a) => taken.some((b) => a.x < b.x + b.w + 4 && b.x < a.x + a.w + 4 && a.y < b.y + b.h + 4 && b.y < a.y + a.h + 4);
  return curves.map((c, i) => {
    const { w, h } = labels[i];
    const boxAt = (t) => {
      const [x, y] = pointAt(c, t);
      return { x: x - w / 2, y: y - h / 2, w, h, cx: x, cy: y };
    };
    const spot = [0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8].map(boxAt).find((box) => !overlaps(box)) ?? boxAt(0.5);
    taken.push(spot);
    return spot;
  });
}

function drawEdge(e, [p0, p1, p2, p3]) {
  const cls = `edge ${e.kind}${e.callsPerSecond ? '' : ' idle'}`;
  const g = svg('g', { class: cls, 'data-edge': `${e.from}->${e.to}`, 'data-kind': e.kind, 'data-rate': e.callsPerSecond });
  const path = svg('path', { d: `M${p0} C${p1} ${p2} ${p3}`, 'marker-end': `url(#arrow-${e.kind})` });
  path.append(svg('title', {}, `${e.from} → ${e.to} (${e.kind})`));
  g.append(path);
  return g;
}

function drawLabel(e, { rows, w, h }, { cx, cy }) {
  const cls = `edge ${e.kind}${e.callsPerSecond ? '' : ' idle'}`;
  const g = svg('g', { class: cls, 'data-edge-label': `${e.from}->${e.to}`, 'data-kind': e.kind, transform: `translate(${cx},${cy})` });
  g.append(svg('rect', { class: 'label-bg', x: -w / 2, y: -h / 2, width: w, height: h, rx: 6 }));
  rows.forEach(([rowClass, text], i) => {
    g.append(svg('text', { class: rowClass, x: 0, y: -h / 2 + 16 + i * 15, 'text-anchor': 'middle' }, text));
  });
  return g;
}

function drawNode(m, { x, y }) {
  const remote = m.mode === 'remote';
  const g = svg('g', {
    class: `node ${m.mode}${m.healthy ? '' : ' down'}`,
    'data-module': m.name,
    'data-mode': m.mode,
    'data-healthy': m.healthy,
    transform: `translate(${x},${y})`,
  });
  if (remote) g.setAttribute('data-url', (m.urls ?? []).join(','));
  g.append(svg('rect', { class: 'box', width: NODE_W, height: NODE_H, rx: 10 }));
  g.append(svg('circle', { class: m.healthy ? 'health-ok' : 'health-bad', cx: 18, cy: 22, r: 5 }));
  g.lastChild.append(svg('title', {}, m.healthy ? 'healthy' : 'not answering'));
  g.append(svg('text', { class: 'name', x: 30, y: 27 }, m.name));
  const badge = remote ? 'REMOTE' : 'IN-PROCESS';
  const bw = badge.length * 7 + 14;
  g.append(svg('rect', { class: 'badge-bg', x: NODE_W - bw - 12, y: 12, width: bw, height: 19, rx: 9.5 }));
  g.append(svg('text', { class: 'badge badge-text', x: NODE_W - bw / 2 - 12, y: 25, 'text-anchor': 'middle' }, badge));
  const lines = remote
    ? [...(m.urls ?? []).slice(0, 2).map((u) => ['url', u]), ['detail', `breaker ${m.breaker ?? 'unknown'} · ${m.healthy ? 'healthy' : 'down'}`]]
    : [
        ['detail', `${m.healthy ? 'healthy' : 'down'} · runs in this process`],
        ['detail', `outbox ${m.outboxBacklog ?? 0} waiting · ${m.deadEvents ?? 0} dead`],
      ];
  lines.forEach(([cls, text], i) => {
    g.append(svg('text', { class: cls, x: 18, y: 54 + i * 18 }, text));
  });
  return g;
}

$('login-form').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', () => signOut());
if (sessionStorage.getItem(TOKEN_KEY)) poll();
else show('login');
