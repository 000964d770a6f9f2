import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';

const { nn, data, optim, train } = ax;

function irisLoaders() {
  const iris = data.loadCsv(fileURLToPath(new URL('../data/iris.csv', import.meta.url)), { target: 'species' });
  const labels = iris.target!.toArray() as number[];
  const [tr, va] = data.stratifiedSplit(labels, [0.8, 0.2], new ax.Generator(0));
  const pick = (idx: number[]) => ax.tensor(idx, { dtype: 'int32' });
  const scaler = new data.StandardScaler().fit(iris.features.indexSelect(0, pick(tr!)));
  const x = scaler.transform(iris.features);
  const ds = (idx: number[]) =>
    new data.TensorDataset(x.indexSelect(0, pick(idx)), iris.target!.indexSelect(0, pick(idx)));
  return {
    train: new data.DataLoader(ds(tr!), { batchSize: 16, shuffle: true, generator: new ax.Generator(1) }),
    val: new data.DataLoader(ds(va!), { batchSize: 64 }),
  };
}

test('fit trains an MLP on iris with validation, metrics, a schedule, a logger and a checkpoint', () => {
  ax.manualSeed(0);
  const { train: tl, val } = irisLoaders();
  const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
  const opt = new optim.Adam(model.parameters(), { lr: 0.02 });
  const dir = mkdtempSync(join(tmpdir(), 'axon-fit-'));
  const lines: string[] = [];
  const history = train.fit(model, tl, {
    epochs: 30,
    optimizer: opt,
    loss: nn.functional.crossEntropy,
    validation: val,
    metrics: { accuracy: train.metrics.accuracy },
    scheduler: new optim.StepLR(opt, 10, 0.5),
    clipGradNorm: 5,
    callbacks: [
      new train.MetricsLogger(join(dir, 'log.csv')),
      new train.ModelCheckpoint(join(dir, 'best.safetensors'), { saveBestOnly: true }),
    ],
    log: (l) => lines.push(l),
    progress: false,
  });
  const last = history.epochs[history.epochs.length - 1]!;
  assert.ok(last['valAccuracy']! >= 0.9, `validation accuracy ${last['valAccuracy']}`);
  assert.ok(last['loss']! < history.epochs[0]!['loss']!);
  assert.ok(last['samplesPerSecond']! > 0 && last['cpuSeconds']! >= 0);
  // the lr used during epoch 30 (the schedule steps after each epoch)
  assert.ok(Math.abs(last['lr']! - 0.02 * 0.5 ** 2) < 1e-12, `lr in epoch 30: ${last['lr']}`);
  assert.equal(lines.length, 30);
  const csv = readFileSync(join(dir, 'log.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 31);
  assert.match(
    csv[0]!,
    /^epoch,loss,samplesPerSecond,seconds,cpuSeconds,lr,valLoss,valLatencyP50,valLatencyP95,valAccuracy$/,
  );
  const restored = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
  restored.loadStateDict(ax.io.loadSafetensors(join(dir, 'best.safetensors')).tensors);
  assert.ok(train.evaluate(restored, val, { metrics: { accuracy: train.metrics.accuracy } })['accuracy']! >= 0.9);
  assert.deepEqual(train.predict(model, ax.zeros([5, 4]), { batchSize: 2 }).shape, [5, 3]);
});

test('EarlyStopping stops when the monitored value stalls and restores the best weights', () => {
  ax.manualSeed(0);
  const { train: tl, val } = irisLoaders();
  const model = new nn.Sequential(new nn.Linear(4, 3));
  const early = new train.EarlyStopping({ monitor: 'valLoss', patience: 2, restoreBestWeights: true });
  // with lr 0 the validation loss never improves after epoch 1: stop after `patience` more epochs
  const opt = new optim.SGD(model.parameters(), { lr: 0 });
  const before = model.stateDict()['0.weight']!.clone();
  const history = train.fit(model, tl, {
    epochs: 20,
    optimizer: opt,
    loss: nn.functional.crossEntropy,
    validation: val,
    callbacks: [early],
    progress: false,
  });
  assert.equal(history.epochs.length, 3);
  assert.equal(early.bestEpoch, 1);
  assert.equal(early.stoppedEpoch, 3);
  assert.deepEqual(model.stateDict()['0.weight']!.toArray(), before.toArray());
  assert.throws(
    () =>
      train.fit(model, tl, {
        epochs: 1,
        optimizer: opt,
        loss: nn.functional.crossEntropy,
        callbacks: [new train.EarlyStopping({ monitor: 'valAcc' })],
        progress: false,
      }),
    /no 'valAcc'/,
  );
});

test('a loss that becomes NaN stops training with a clear error', () => {
  const model = new nn.Linear(2, 1);
  const x = ax.tensor([[1, 2]]),
    y = ax.tensor([[NaN]]);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 1 });
  assert.throws(
    () =>
      train.fit(model, loader, {
        epochs: 1,
        optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
        loss: nn.functional.mseLoss,
        progress: false,
      }),
    /loss became NaN in epoch 1, batch 1/,
  );
});
