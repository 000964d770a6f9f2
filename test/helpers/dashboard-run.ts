/**
 * A short training run for the dashboard's browser test: the digits MLP for a few epochs, each
 * stretched to `--epoch-ms`, logging JSON lines with the validation confusion matrix and saving an
 * attribution heatmap into the run directory.
 *
 *   npx tsx test/helpers/dashboard-run.ts <runDir> [--epochs 8] [--epoch-ms 400]
 */
import { join } from 'node:path';
import * as ax from '../../src/index.js';
import { digits } from '../../examples/common.js';

const dir = process.argv[2]!;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const epochs = arg('epochs', 8),
  epochMs = arg('epoch-ms', 400);
ax.manualSeed(0);
const { xTrain, yTrain, xTest, yTest } = digits(0);
const model = new ax.nn.Sequential(
  new ax.nn.Flatten(),
  new ax.nn.Linear(64, 32),
  new ax.nn.ReLU(),
  new ax.nn.Linear(32, 10),
);
const train = new ax.data.DataLoader(new ax.data.TensorDataset(xTrain, yTrain), { batchSize: 64, shuffle: true });
const test = new ax.data.DataLoader(new ax.data.TensorDataset(xTest, yTest), { batchSize: 256 });
const pause: ax.train.Callback = {
  onEpochEnd(e) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, epochMs - e.logs['seconds']! * 1000));
    if (e.epoch === 2) {
      const x = xTest.narrow(0, 0, 6);
      const target = ax.train.predict(e.model, x).argmax(1);
      const attr = ax.explain.integratedGradients(e.model, x, { target, steps: 16 }).attributions;
      ax.io.saveHeatmap(join(dir, 'integrated-gradients.png'), attr, { images: x, scale: 10, nrow: 6 });
    }
  },
};
ax.train.fit(model, train, {
  epochs,
  optimizer: new ax.optim.Adam(model.parameters(), { lr: 3e-3 }),
  loss: ax.nn.functional.crossEntropy,
  validation: test,
  metrics: { accuracy: ax.train.metrics.accuracy },
  callbacks: [
    new ax.train.MetricsLogger(join(dir, 'metrics.jsonl'), 'jsonl', {
      confusionMatrix: { data: test, numClasses: 10 },
    }),
    pause,
  ],
  progress: false,
});
