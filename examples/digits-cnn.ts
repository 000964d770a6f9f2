/**
 * A small CNN on the 8×8 handwritten digits (data/digits.csv), trained with fit(): convolution,
 * batch norm, max pooling, dropout, AdamW, a cosine schedule, light augmentation.
 *
 *   npx tsx examples/digits-cnn.ts [--epochs 30]
 */
import * as ax from '../src/index.js';
import { digits, flag, isMain, timed } from './common.js';

const { nn, data, optim, train } = ax;

export function digitsCnn(): ax.nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.BatchNorm2d(32),
    new nn.ReLU(),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.BatchNorm2d(64),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Dropout(0.3),
    new nn.Linear(64 * 4 * 4, 10),
  );
}

export function runDigitsCnn(o: { epochs?: number; seed?: number; log?: (s: string) => void } = {}) {
  const epochs = o.epochs ?? 30;
  ax.manualSeed(o.seed ?? 0);
  const d = digits();
  const model = digitsCnn();
  const augment = data.augment.randomAffine({ degrees: 8, translate: [0.08, 0.08] });
  const loader = new data.DataLoader(new data.TensorDataset(d.xTrain, d.yTrain), {
    batchSize: 32,
    shuffle: true,
    transform: ([x, y]) => [augment(x!), y!],
  });
  const opt = new optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 1e-2 });
  const [history, seconds] = timed(() =>
    train.fit(model, loader, {
      epochs,
      optimizer: opt,
      loss: nn.functional.crossEntropy,
      scheduler: new optim.CosineAnnealingLR(opt, epochs),
      validation: new data.DataLoader(new data.TensorDataset(d.xTest, d.yTest), { batchSize: 512 }),
      metrics: { accuracy: train.metrics.accuracy },
      log: o.log,
    }),
  );
  const last = history.epochs.at(-1)!;
  const samplesPerSecond = history.epochs.reduce((s, e) => s + e['samplesPerSecond']!, 0) / history.epochs.length;
  return { testAccuracy: last['valAccuracy']!, seconds, samplesPerSecond, history };
}

if (isMain(import.meta.url)) {
  console.log(
    'CNN on the 8×8 digits: conv32-bn-relu, conv64-bn-relu, maxpool, dropout, linear (1442 train / 355 test)',
  );
  const r = runDigitsCnn({ epochs: flag('epochs', 30), log: console.log });
  console.log(
    `test accuracy ${r.testAccuracy.toFixed(4)} in ${r.seconds.toFixed(1)} s (${r.samplesPerSecond.toFixed(0)} samples/s)`,
  );
}
