import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import { createServer } from '../src/serve/server.js';

// A tabular model served with its reference profile beside it: live rows like the reference report
// no drift; rows with one feature shifted flag that feature, at /monitor and in /metrics.
test('drift monitoring of a served model: /monitor and the Prometheus gauges', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-drift-'));
  ax.manualSeed(0);
  const gen = new ax.Generator(11);
  const model = new ax.nn.Sequential(new ax.nn.Linear(4, 8), new ax.nn.ReLU(), new ax.nn.Linear(8, 2)).eval();
  const reference = ax.randn([400, 4], { generator: gen });
  const path = join(dir, 'tabular.onnx');
  ax.onnx.export(model, [reference.narrow(0, 0, 2)], path, { dynamicAxes: { input0: [0] }, inputNames: ['input0'] });
  ax.monitor.saveProfile(
    join(dir, 'tabular.profile.json'),
    ax.monitor.profileData(reference, { featureNames: ['a', 'b', 'c', 'd'] }),
  );
  const server = await createServer([{ path }], { monitorWindow: 200 });
  const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const predict = async (rows: ax.Tensor) => {
      const res = await fetch(`${base}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: rows.toArray() }),
      });
      assert.equal(res.status, 200, await res.clone().text());
    };
    const monitor = async () =>
      (await (await fetch(`${base}/v2/models/tabular/monitor`)).json()) as Record<string, any>;
    await predict(ax.randn([10, 4], { generator: gen }));
    assert.equal((await monitor()).drift, null, 'too few rows yet');
    for (let i = 0; i < 20; i++) await predict(ax.randn([10, 4], { generator: gen }));
    const calm = await monitor();
    assert.equal(calm.window, 200);
    // Each feature is a test at p < 0.05, so a calm window may flag one by chance; not the data set.
    assert.equal(calm.datasetDrift, false, JSON.stringify(calm.features));
    assert.ok(!calm.driftedFeatures.includes('c'));
    const shifted = () => ax.randn([10, 4], { generator: gen }).add(ax.tensor([0, 0, 1, 0]));
    for (let i = 0; i < 20; i++) await predict(shifted());
    const moved = await monitor();
    assert.ok(moved.driftedFeatures.includes('c'), JSON.stringify(moved.features));
    assert.ok(moved.features[2].pValue < 1e-6);
    assert.equal(moved.features[2].method, 'ks');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /axon_feature_drifted\{model="tabular",version="1",feature="c"\} 1/);
    assert.match(metrics, /axon_drift_share\{model="tabular",version="1"\} 0\.(25|5)/);
    // A model without a profile says so.
    const other = await server.repository.load({ path, name: 'plain', profile: undefined });
    assert.equal(other.monitor !== null, true, 'the profile beside the file is found for any name');
  } finally {
    await server.close();
  }
});

test('axon profile and axon monitor report: an HTML report with a plot per drifted feature', async () => {
  const { main } = await import('../src/cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'axon-drift-cli-'));
  const csv = fileURLToPath(new URL('../data/breast_cancer.csv', import.meta.url));
  const profilePath = join(dir, 'model.profile.json');
  assert.equal(await main(['profile', csv, '--out', profilePath, '--exclude', 'benign']), 0);
  // The current data: the last 120 rows, with mean_radius shifted by 5.
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const j = header.indexOf('mean_radius');
  const shifted = lines.slice(-120).map((l) => {
    const cells = l.split(',');
    cells[j] = String(Number(cells[j]) + 5);
    return cells.join(',');
  });
  const current = join(dir, 'current.csv');
  writeFileSync(current, [lines[0], ...shifted].join('\n'));
  const out = join(dir, 'report.html');
  assert.equal(await main(['monitor', 'report', profilePath, current, '--out', out, '--exclude', 'benign']), 0);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<h3>mean_radius \(ks /);
  assert.match(html, /<svg /);
  assert.ok(!/<script/.test(html), 'self-contained, no scripts');
  // Columns that do not match the profile are a usage error.
  assert.equal(await main(['monitor', 'report', profilePath, csv, '--out', out]), 2);
});

// The profile also holds the model's predictions on the reference rows: the server watches its own
// outputs, and a sampled JSON-lines log keeps requests and predictions for retraining.
test('prediction drift and the sampled request log of a served model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-drift-'));
  ax.manualSeed(1);
  const gen = new ax.Generator(12);
  const model = new ax.nn.Sequential(new ax.nn.Linear(3, 6), new ax.nn.Tanh(), new ax.nn.Linear(6, 2)).eval();
  const reference = ax.randn([400, 3], { generator: gen });
  const path = join(dir, 'scorer.onnx');
  ax.onnx.export(model, [reference.narrow(0, 0, 2)], path, { dynamicAxes: { x: [0] }, inputNames: ['x'] });
  const predictions = ax.noGrad(() => model.forward(reference));
  ax.monitor.saveProfile(join(dir, 'scorer.profile.json'), ax.monitor.profileData(reference, { predictions }));
  // Every other request is logged (a fixed sequence instead of Math.random).
  let draws = 0;
  const log = join(dir, 'requests.jsonl');
  const server = await createServer([{ path }], {
    monitorWindow: 200,
    requestLog: { path: log, sampleRate: 0.5, random: () => (draws++ % 2 === 0 ? 0.1 : 0.9) },
  });
  const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const sent: number[][][] = [];
  try {
    const predict = async (rows: ax.Tensor) => {
      sent.push(rows.toArray() as number[][]);
      const res = await fetch(`${base}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: rows.toArray() }),
      });
      assert.equal(res.status, 200, await res.clone().text());
    };
    const monitor = async () => (await (await fetch(`${base}/v2/models/scorer/monitor`)).json()) as Record<string, any>;
    for (let i = 0; i < 20; i++) await predict(ax.randn([10, 3], { generator: gen }));
    const calm = await monitor();
    assert.equal(calm.predictions.length, 2, 'one entry per output column');
    assert.ok(
      calm.predictions.every((p: { drifted: boolean }) => !p.drifted),
      JSON.stringify(calm.predictions),
    );
    // Inputs scaled up: the tanh layer saturates, and the outputs' distribution moves.
    for (let i = 0; i < 20; i++) await predict(ax.randn([10, 3], { generator: gen }).mul(4));
    const moved = await monitor();
    assert.ok(
      moved.predictions.some((p: { drifted: boolean }) => p.drifted),
      JSON.stringify(moved.predictions),
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /axon_prediction_drifted\{model="scorer",version="1",output="prediction[01]"\} 1/);
  } finally {
    await server.close();
  }
  const lines = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>);
  assert.equal(lines.length, 20, '40 requests, every other one logged');
  for (const [k, line] of lines.entries()) {
    assert.equal(line.model, 'scorer');
    assert.ok(!Number.isNaN(Date.parse(line.time)));
    const x = line.inputs.x;
    assert.deepEqual(x.shape, [10, 3]);
    // The logged input is what was sent (request 2k), and the logged output is the model's on it.
    const input = ax.tensor(sent[2 * k]!);
    assert.ok(ax.allclose(ax.tensor(x.data).reshape([10, 3]), input, { atol: 1e-6 }));
    const out = line.outputs[Object.keys(line.outputs)[0]!];
    assert.ok(
      ax.allclose(
        ax.tensor(out.data).reshape(out.shape),
        ax.noGrad(() => model.forward(input)),
        { atol: 1e-5 },
      ),
    );
  }
  // `axon profile --model` stores the model's outputs on the rows beside the features.
  const { main } = await import('../src/cli.js');
  const csv = join(dir, 'reference.csv');
  writeFileSync(csv, ['a,b,c', ...(reference.toArray() as number[][]).map((r) => r.join(','))].join('\n'));
  const viaCli = join(dir, 'cli.profile.json');
  assert.equal(await main(['profile', csv, '--out', viaCli, '--model', path]), 0);
  const saved = ax.monitor.loadProfile(viaCli);
  assert.deepEqual(
    saved.predictions?.map((p) => p.name),
    ['prediction0', 'prediction1'],
  );
  assert.equal(await main(['profile', csv, '--out', viaCli, '--model', join(dir, 'missing.onnx')]), 1);
  // A bad sampling rate is refused when the server starts.
  await assert.rejects(
    createServer([{ path }], { requestLog: { path: log, sampleRate: 0 } }),
    /sampleRate must be in \(0, 1\]/,
  );
});
