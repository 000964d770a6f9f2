// The Axon training dashboard: polls the server's JSON API every second and draws each run's
// JSON-lines metrics with uPlot (train solid, validation dashed, one colour per run), the latest
// confusion matrix and the pictures saved beside the metrics. Plain script, no build step.
'use strict';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const state = { runs: [], rows: {}, hidden: new Set(), charts: {}, updates: 0 };
// Read by the browser test: how many points each chart series has.
window.axonDashboard = { state, points: {} };

const el = (tag, props = {}, children = []) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};

/** The chart a log key belongs to and whether it is a validation value: valLoss → ['loss', true]. */
function groupOf(key) {
  const m = /^val([A-Z].*)$/.exec(key);
  if (m && !/^Latency/.test(m[1])) return [m[1][0].toLowerCase() + m[1].slice(1), true];
  return [key, false];
}

function colourOf(run) {
  return COLOURS[state.runs.findIndex((r) => r.name === run) % COLOURS.length];
}

async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

function renderRuns() {
  const box = document.getElementById('runs');
  box.replaceChildren(
    el('h2', { textContent: 'Runs' }),
    ...state.runs.map((r) => {
      const input = el('input', { type: 'checkbox', checked: !state.hidden.has(r.name) });
      input.addEventListener('change', () => {
        if (input.checked) state.hidden.delete(r.name);
        else state.hidden.add(r.name);
        state.charts = rebuild(state.charts, true);
      });
      const rows = state.rows[r.name] ?? [];
      return el('label', {}, [
        input,
        el('span', { className: 'swatch', style: `background:${colourOf(r.name)}` }),
        `${r.name} (${rows.length} epochs)`,
      ]);
    }),
  );
}

/** The series of every chart: group → [{ run, key, validation }]. */
function seriesByGroup() {
  const groups = {};
  for (const r of state.runs) {
    if (state.hidden.has(r.name)) continue;
    const keys = new Set();
    for (const row of state.rows[r.name] ?? [])
      for (const [k, v] of Object.entries(row)) if (k !== 'epoch' && typeof v === 'number') keys.add(k);
    for (const key of [...keys].sort()) {
      const [group, validation] = groupOf(key);
      (groups[group] ??= []).push({ run: r.name, key, validation });
    }
  }
  return groups;
}

function dataFor(series) {
  const epochs = new Set();
  for (const s of series)
    for (const row of state.rows[s.run] ?? []) if (typeof row[s.key] === 'number') epochs.add(row.epoch);
  const xs = [...epochs].sort((a, b) => a - b);
  const ys = series.map((s) => {
    const byEpoch = new Map((state.rows[s.run] ?? []).map((row) => [row.epoch, row[s.key]]));
    return xs.map((x) => (typeof byEpoch.get(x) === 'number' ? byEpoch.get(x) : null));
  });
  return [xs, ...ys];
}

// Charts in reading order: the loss, the metrics, then the learning rate, speed and timings.
const LAST = ['lr', 'samplesPerSecond', 'seconds', 'cpuSeconds', 'valLatencyP50', 'valLatencyP95'];
function chartOrder(a, b) {
  const rank = (g) => (g === 'loss' ? -1 : LAST.includes(g) ? LAST.indexOf(g) + 1 : 0);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Compact tick labels: 0.0003, 12.5, 30k, 1.2M. */
function tick(v) {
  if (v === null || v === undefined) return '';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(4));
}

function rebuild(charts, force) {
  const groups = Object.fromEntries(Object.entries(seriesByGroup()).sort(([a], [b]) => chartOrder(a, b)));
  const box = document.getElementById('charts');
  const next = {};
  const width = Math.max(400, Math.min(640, box.clientWidth / 2 - 40));
  for (const [group, series] of Object.entries(groups)) {
    const signature = series.map((s) => `${s.run}|${s.key}`).join(',');
    const data = dataFor(series);
    let chart = charts[group];
    if (!chart || force || chart.signature !== signature) {
      chart?.card.remove();
      const card = el('div', { className: 'card' }, [el('h3', { textContent: group })]);
      card.dataset.group = group;
      box.append(card);
      const plot = new uPlot(
        {
          width,
          height: 240,
          scales: { x: { time: false } },
          axes: [
            { label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
            { size: 56, values: (_u, vals) => vals.map(tick) },
          ],
          series: [
            { label: 'epoch' },
            ...series.map((s) => ({
              label: `${s.run} ${s.validation ? 'validation' : 'train'}`,
              stroke: colourOf(s.run),
              dash: s.validation ? [6, 4] : undefined,
              width: 2,
              spanGaps: true,
              points: { show: data[0].length < 40 },
            })),
          ],
        },
        data,
        card,
      );
      chart = { card, plot, signature };
    } else chart.plot.setData(data);
    chart.card.dataset.points = String(data[0].length);
    series.forEach((s, i) => {
      window.axonDashboard.points[`${s.run}|${s.key}`] = data[i + 1].filter((v) => v !== null).length;
    });
    next[group] = chart;
  }
  for (const [group, chart] of Object.entries(charts)) if (!next[group]) chart.card.remove();
  return next;
}

function renderMatrices() {
  const box = document.getElementById('matrices');
  const tables = [];
  for (const r of state.runs) {
    if (state.hidden.has(r.name)) continue;
    const rows = state.rows[r.name] ?? [];
    const last = [...rows].reverse().find((row) => Array.isArray(row.confusionMatrix));
    if (!last) continue;
    const m = last.confusionMatrix;
    const max = Math.max(1, ...m.flat());
    const table = el('table', { className: 'cm' }, [
      el('caption', { textContent: `${r.name}, epoch ${last.epoch} (rows: true class, columns: predicted)` }),
    ]);
    table.append(el('tr', {}, [el('th'), ...m.map((_, j) => el('th', { textContent: String(j) }))]));
    m.forEach((row, i) => {
      table.append(
        el('tr', {}, [
          el('th', { textContent: String(i) }),
          ...row.map((v) =>
            el('td', {
              textContent: String(v),
              style: `background: rgba(31,119,180,${(v / max).toFixed(3)}); color: ${v / max > 0.5 ? '#fff' : '#222'}`,
            }),
          ),
        ]),
      );
    });
    tables.push(table);
  }
  box.replaceChildren(...(tables.length ? [el('h2', { textContent: 'Confusion matrix' }), ...tables] : []));
}

function renderImages() {
  const box = document.getElementById('images');
  const figures = [];
  for (const r of state.runs) {
    if (state.hidden.has(r.name)) continue;
    for (const img of r.images) {
      const src = `/api/image?run=${encodeURIComponent(r.name)}&file=${encodeURIComponent(img.file)}&t=${img.modified}`;
      figures.push(
        el('figure', {}, [
          el('img', { src, alt: img.file }),
          el('figcaption', { textContent: `${r.name}: ${img.file}` }),
        ]),
      );
    }
  }
  const key = figures.map((f) => f.firstChild.src).join();
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(...(figures.length ? [el('h2', { textContent: 'Pictures' }), ...figures] : []));
}

async function refresh() {
  try {
    const { logDir, runs } = await getJson('/api/runs');
    document.getElementById('logdir').textContent = logDir;
    state.runs = runs;
    await Promise.all(
      runs.map(async (r) => {
        state.rows[r.name] = (await getJson(`/api/metrics?run=${encodeURIComponent(r.name)}`)).rows;
      }),
    );
    renderRuns();
    state.charts = rebuild(state.charts, false);
    renderMatrices();
    renderImages();
    state.updates++;
    const epochs = runs.reduce((n, r) => n + (state.rows[r.name]?.length ?? 0), 0);
    document.getElementById('status').textContent =
      `${runs.length} run(s), ${epochs} epoch rows · updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    document.getElementById('status').textContent = `cannot reach the server (${e.message}); retrying`;
  }
  setTimeout(refresh, 1000);
}

refresh();
