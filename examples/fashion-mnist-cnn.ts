/**
 * A CNN on Fashion-MNIST (60 000 training and 10 000 test images, 28×28 grey, 10 classes) read
 * from Debian's dataset-fashion-mnist package (see data/README.md; nothing is downloaded).
 *
 *   npx tsx examples/fashion-mnist-cnn.ts [--epochs 3] [--train 60000] [--bf16]
 * (--bf16: products in bfloat16 with float32 accumulation, ax.autocast)
 */
import * as ax from '../src/index.js';
import { flag, isMain, timed } from './common.js';

const { nn, data, optim, train } = ax;

/** Two conv blocks and a classifier; `features` is what transfer learning reuses. */
export class FashionCnn extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.BatchNorm2d(32),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.BatchNorm2d(64),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
  );
  head: ax.nn.Module;
  constructor(classes = 10) {
    super();
    this.head = new nn.Sequential(
      new nn.Dropout(0.3),
      new nn.Linear(64 * 7 * 7, 128),
      new nn.ReLU(),
      new nn.Linear(128, classes),
    );
  }
  private featuresFrozen = false;
  forward(x: ax.Tensor): ax.Tensor {
    return this.head.forward(this.features.forward(x));
  }
  /** Transfer learning: the features stop learning, and their batch norms keep the pre-trained statistics. */
  freezeFeatures(): this {
    this.features.freeze();
    this.featuresFrozen = true;
    return this.train(this.training);
  }
  override train(mode = true): this {
    super.train(mode);
    if (this.featuresFrozen) this.features.eval();
    return this;
  }
}

export function runFashionMnist(
  o: {
    epochs?: number;
    trainSize?: number;
    testSize?: number;
    seed?: number;
    log?: (s: string) => void;
    autocast?: 'bfloat16';
  } = {},
) {
  const epochs = o.epochs ?? 3;
  ax.manualSeed(o.seed ?? 0);
  const tr = data.fashionMnist('train'),
    te = data.fashionMnist('test');
  const n = Math.min(o.trainSize ?? 60000, 60000),
    nt = Math.min(o.testSize ?? 10000, 10000);
  const model = new FashionCnn();
  const loader = new data.DataLoader(new data.TensorDataset(tr.images.narrow(0, 0, n), tr.labels.narrow(0, 0, n)), {
    batchSize: 64,
    shuffle: true,
  });
  const test = new data.DataLoader(new data.TensorDataset(te.images.narrow(0, 0, nt), te.labels.narrow(0, 0, nt)), {
    batchSize: 500,
  });
  const opt = new optim.AdamW(model.parameters(), { lr: 2e-3, weightDecay: 1e-4 });
  const scheduler = new optim.OneCycleLR(opt, {
    maxLr: 3e-3,
    totalSteps: epochs * loader.length,
    cycleMomentum: false,
  });
  const [history, seconds] = timed(() =>
    train.fit(model, loader, {
      epochs,
      optimizer: opt,
      loss: nn.functional.crossEntropy,
      scheduler,
      schedulerStep: 'batch',
      validation: test,
      metrics: { accuracy: train.metrics.accuracy },
      log: o.log,
      ...(o.autocast ? { autocast: o.autocast } : {}),
    }),
  );
  const last = history.epochs.at(-1)!;
  const samplesPerSecond = history.epochs.reduce((s, e) => s + e['samplesPerSecond']!, 0) / history.epochs.length;
  return { model, testAccuracy: last['valAccuracy']!, seconds, samplesPerSecond, history };
}

if (isMain(import.meta.url)) {
  const epochs = flag('epochs', 3),
    trainSize = flag('train', 60000);
  console.log(
    `Fashion-MNIST CNN: conv32-bn-relu-pool, conv64-bn-relu-pool, dropout, 128, 10; AdamW + one-cycle, ${epochs} epochs on ${trainSize} images`,
  );
  const bf16 = process.argv.includes('--bf16');
  const r = runFashionMnist({
    epochs,
    trainSize,
    log: console.log,
    ...(bf16 ? { autocast: 'bfloat16' as const } : {}),
  });
  console.log(
    `test accuracy ${r.testAccuracy.toFixed(4)} on 10 000 test images in ${r.seconds.toFixed(0)} s (${r.samplesPerSecond.toFixed(0)} samples/s)`,
  );
}
