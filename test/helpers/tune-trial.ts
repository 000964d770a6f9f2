/**
 * The trial module of the tune tests (tune.run starts it in a child process). Its "accuracy"
 * peaks at lr = 1e-2 and grows a little per epoch; `fail`, `oom` and `hang` make it throw, run out
 * of heap, or never end; `fit` trains the digits MLP with fit() and the reporter callback.
 */
import * as ax from '../../src/index.js';
import type { TrialContext } from '../../src/tune/index.js';
import { digits } from '../../examples/common.js';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

export default function trial(config: Record<string, unknown>, ctx: TrialContext): Record<string, number> {
  if (config['fail']) throw new ax.ValueError('this configuration cannot train');
  if (config['oom']) {
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array(1 << 20).fill(Math.random()));
  }
  if (config['hang']) busy(60_000);
  if (config['fit']) {
    ax.manualSeed(0);
    const { xTrain, yTrain, xTest, yTest } = digits(0);
    const model = new ax.nn.Sequential(
      new ax.nn.Flatten(),
      new ax.nn.Linear(64, 32),
      new ax.nn.ReLU(),
      new ax.nn.Linear(32, 10),
    );
    const h = ax.train.fit(
      model,
      new ax.data.DataLoader(new ax.data.TensorDataset(xTrain, yTrain), { batchSize: 64 }),
      {
        epochs: ctx.maxEpochs,
        optimizer: new ax.optim.Adam(model.parameters(), { lr: config['lr'] as number }),
        loss: ax.nn.functional.crossEntropy,
        validation: new ax.data.DataLoader(new ax.data.TensorDataset(xTest, yTest), { batchSize: 256 }),
        metrics: { accuracy: ax.train.metrics.accuracy },
        callbacks: [ctx.reporter()],
      },
    );
    return { testAccuracy: h.epochs.at(-1)!['valAccuracy']! };
  }
  const lr = config['lr'] as number;
  let acc = 0;
  for (let epoch = 1; epoch <= ctx.maxEpochs; epoch++) {
    busy(30);
    acc = 0.9 - Math.abs(Math.log10(lr) + 2) / 4 + 0.005 * epoch;
    ctx.report(epoch, { valAccuracy: acc, loss: 1 - acc });
  }
  return { valAccuracy: acc };
}
