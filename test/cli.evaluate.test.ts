import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const data = (name: string) => fileURLToPath(new URL(`../data/${name}`, import.meta.url));
const axon = (...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    encoding: 'utf8',
  });

test('axon evaluate: the metrics of a classifier and of a regressor, as computed directly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-evaluate-'));
  ax.manualSeed(0);
  // A classifier on iris's raw features (text classes become indices in sorted order).
  const iris = ax.data.loadCsv(data('iris.csv'), { target: 'species' });
  const clf = new ax.nn.Linear(4, 3);
  ax.train.fit(
    clf,
    new ax.data.DataLoader(new ax.data.TensorDataset(iris.features, iris.target!), { batchSize: 16, shuffle: true }),
    {
      epochs: 30,
      optimizer: new ax.optim.Adam(clf.parameters(), { lr: 0.05 }),
      loss: ax.nn.functional.crossEntropy,
      progress: false,
    },
  );
  const clfPath = join(dir, 'iris.onnx');
  ax.onnx.export(clf, [iris.features.narrow(0, 0, 2)], clfPath, {
    dynamicAxes: { input0: [0] },
    inputNames: ['input0'],
  });
  const r = JSON.parse(axon('evaluate', clfPath, data('iris.csv'), '--target', 'species'));
  const direct = ax.train.metrics.accuracy(
    ax.noGrad(() => clf.forward(iris.features)),
    iris.target!,
  );
  assert.equal(r.task, 'classification');
  assert.ok(Math.abs(r.accuracy - direct) < 1e-12, `${r.accuracy} vs ${direct}`);
  assert.ok(r.accuracy > 0.8, `trained accuracy ${r.accuracy}`);
  assert.deepEqual(r.classes, ['setosa', 'versicolor', 'virginica']);
  assert.equal(
    r.confusionMatrix.flat().reduce((a: number, b: number) => a + b),
    150,
  );
  assert.equal(r.rows, 150);
  // A regressor on the diabetes data.
  const dia = ax.data.loadCsv(data('diabetes.csv'), { target: 'progression' });
  const reg = new ax.nn.Linear(10, 1);
  const regPath = join(dir, 'diabetes.onnx');
  ax.onnx.export(reg, [dia.features.narrow(0, 0, 2)], regPath, {
    dynamicAxes: { input0: [0] },
    inputNames: ['input0'],
  });
  const q = JSON.parse(
    axon('evaluate', regPath, data('diabetes.csv'), '--target', 'progression', '--task', 'regression'),
  );
  const pred = ax.noGrad(() => reg.forward(dia.features)).reshape(-1);
  assert.ok(Math.abs(q.rmse - ax.train.metrics.rmse(pred, dia.target!.float())) < 1e-3 * q.rmse);
  assert.ok('r2' in q && 'mae' in q);
});
