/**
 * One trial of examples/tune-fashion.ts: a CNN of the given width trained with AdamW on a subset of
 * Fashion-MNIST's training images, scored every epoch on held-out training images (never the test
 * set, which only the final comparison sees). tune.run starts it in a process of its own.
 */
import * as ax from '../src/index.js';
import type { TrialContext } from '../src/tune/index.js';

const { nn, data } = ax;

export interface FashionConfig {
  lr: number;
  weightDecay: number;
  dropout: number;
  /** Channels of the first convolution (the second has twice as many). */
  width: number;
}

/** Sizes of the subset: training images, validation images (both from the training set), test images. */
export const SUBSET = { train: 4000, validation: 1000, test: 2000 };

function model(c: FashionConfig): ax.nn.Module {
  const w = c.width;
  return new nn.Sequential(
    new nn.Conv2d(1, w, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(w, 2 * w, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Dropout(c.dropout),
    new nn.Linear(2 * w * 7 * 7, 64),
    new nn.ReLU(),
    new nn.Linear(64, 10),
  );
}

/** Trains config `c` for `epochs` and returns the model and fit's history (validation on the held-out images). */
export function trainConfig(c: FashionConfig, epochs: number, callbacks: ax.train.Callback[] = []) {
  ax.manualSeed(0);
  const tr = data.fashionMnist('train');
  const { train, validation } = SUBSET;
  const trainSet = new data.TensorDataset(tr.images.narrow(0, 0, train), tr.labels.narrow(0, 0, train));
  const valSet = new data.TensorDataset(tr.images.narrow(0, train, validation), tr.labels.narrow(0, train, validation));
  const net = model(c);
  const history = ax.train.fit(net, new data.DataLoader(trainSet, { batchSize: 64, shuffle: true }), {
    epochs,
    optimizer: new ax.optim.AdamW(net.parameters(), { lr: c.lr, weightDecay: c.weightDecay }),
    loss: nn.functional.crossEntropy,
    validation: new data.DataLoader(valSet, { batchSize: 500 }),
    metrics: { accuracy: ax.train.metrics.accuracy },
    callbacks,
  });
  return { model: net, history };
}

/** Accuracy on the first SUBSET.test images of Fashion-MNIST's test set. */
export function testAccuracy(net: ax.nn.Module): number {
  const te = data.fashionMnist('test');
  const logits = ax.train.predict(net, te.images.narrow(0, 0, SUBSET.test));
  return ax.train.metrics.accuracy(logits, te.labels.narrow(0, 0, SUBSET.test));
}

export default function trial(config: Record<string, unknown>, ctx: TrialContext): Record<string, number> {
  const { history } = trainConfig(config as unknown as FashionConfig, ctx.maxEpochs, [ctx.reporter()]);
  return { valAccuracy: history.epochs.at(-1)!['valAccuracy']! };
}
