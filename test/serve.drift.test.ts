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
