/**
 * The first main job: a multi-layer perceptron on the 8×8 handwritten digits, written with Axon's
 * tensor ops only — forward pass, cross-entropy, backward(), plain mini-batch SGD.
 *
 *   npm run demo                 # 40 epochs, prints per-epoch loss and the final test accuracy
 *   npm run demo -- --epochs 10  # shorter
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import * as ax from '../src/index.js';

export interface DigitsData {
  xTrain: ax.Tensor;
  yTrain: ax.Tensor;
  xTest: ax.Tensor;
  yTest: ax.Tensor;
}

/** Loads data/digits.csv, scales pixels to [0, 1] and makes a fixed, seeded 80/20 split. */
export function loadDigits(seed = 0): DigitsData {
  const path = fileURLToPath(new URL('../data/digits.csv', import.meta.url));
  const rows: string[][] = parse(readFileSync(path, 'utf8'), { from_line: 2 });
  const n = rows.length,
    features = rows[0]!.length - 1;
  const x = new Float32Array(n * features),
    y = new Int32Array(n);
  rows.forEach((row, i) => {
    for (let j = 0; j < features; j++) x[i * features + j] = Number(row[j]) / 16;
    y[i] = Number(row[features]);
  });
  const order = ax.randperm(n, { generator: new ax.Generator(seed) });
  const nTrain = Math.round(n * 0.8);
  const X = ax.fromTypedArray(x, [n, features]).indexSelect(0, order);
  const Y = ax.fromTypedArray(y, [n]).indexSelect(0, order);
  return {
    xTrain: X.narrow(0, 0, nTrain),
    yTrain: Y.narrow(0, 0, nTrain),
    xTest: X.narrow(0, nTrain, n - nTrain),
    yTest: Y.narrow(0, nTrain, n - nTrain),
  };
}

/** Mean negative log-likelihood of the true classes under softmax(logits). */
export function crossEntropy(logits: ax.Tensor, targets: ax.Tensor): ax.Tensor {
  return logits.logSoftmax(1).gather(1, targets.unsqueeze(1)).mean().neg();
}

/** A weight matrix drawn like PyTorch's Linear: uniform in ±1/sqrt(fanIn). */
function linearParams(fanIn: number, fanOut: number, gen: ax.Generator): [ax.Tensor, ax.Tensor] {
  const bound = 1 / Math.sqrt(fanIn);
  const w = ax
    .rand([fanIn, fanOut], { generator: gen })
    .mul(2 * bound)
    .sub(bound)
    .requiresGrad_();
  const b = ax
    .rand([fanOut], { generator: gen })
    .mul(2 * bound)
    .sub(bound)
    .requiresGrad_();
  return [w, b];
}

export interface TrainOptions {
  epochs?: number;
  hidden?: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
  log?: (line: string) => void;
}

export function trainDigitsMlp(options: TrainOptions = {}): {
  testAccuracy: number;
  losses: number[];
  seconds: number;
} {
  const { epochs = 40, hidden = 64, lr = 0.2, batchSize = 32, seed = 0, log = () => {} } = options;
  const data = loadDigits(seed);
  const gen = new ax.Generator(seed + 1);
  const [w1, b1] = linearParams(64, hidden, gen);
  const [w2, b2] = linearParams(hidden, 10, gen);
  const params = [w1, b1, w2, b2];
  const forward = (x: ax.Tensor) => x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
  const nTrain = data.xTrain.shape[0]!;
  const losses: number[] = [];
  const start = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = ax.randperm(nTrain, { generator: gen });
    let total = 0;
    for (let s = 0; s < nTrain; s += batchSize) {
      const idx = order.narrow(0, s, Math.min(batchSize, nTrain - s));
      const loss = crossEntropy(forward(data.xTrain.indexSelect(0, idx)), data.yTrain.indexSelect(0, idx));
      for (const p of params) p.grad = null;
      loss.backward();
      ax.noGrad(() => {
        for (const p of params) p.sub_(p.grad!.mul(lr));
      });
      total += loss.item() * idx.shape[0]!;
    }
    losses.push(total / nTrain);
    log(`epoch ${String(epoch).padStart(3)}  train loss ${(total / nTrain).toFixed(4)}`);
  }
  const predicted = ax.noGrad(() => forward(data.xTest).argmax(1));
  const testAccuracy = predicted.eq(data.yTest).float().mean().item();
  return { testAccuracy, losses, seconds: (performance.now() - start) / 1000 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--epochs');
  const epochs = i > 0 ? Number(process.argv[i + 1]) : 40;
  ax.manualSeed(0);
  console.log('Digits MLP 64-64-10, ReLU, cross-entropy, SGD lr 0.2, batch 32 (1438 train / 359 test)');
  const result = trainDigitsMlp({ epochs, log: console.log });
  console.log(`test accuracy ${result.testAccuracy.toFixed(4)} in ${result.seconds.toFixed(1)} s`);
}
