/**
 * Transfer learning on Fashion-MNIST. A CNN is pre-trained on classes 0–4 (T-shirt, trouser,
 * pullover, dress, coat); its convolutional layers are then frozen and a new head is fine-tuned
 * on classes 5–9 (sandal, shirt, sneaker, bag, ankle boot) from only 500 labelled images. The same
 * network trained from scratch on those 500 images is the comparison. Both are tested on every
 * test image of classes 5–9.
 *
 *   npx tsx examples/transfer-learning.ts [--pretrain-epochs 2] [--labelled 500]
 */
import * as ax from '../src/index.js';
import { FashionCnn } from './fashion-mnist-cnn.js';
import { flag, isMain, rows, timed } from './common.js';

const { nn, data, optim, train } = ax;
type Tensor = ax.Tensor;

/** Images and labels (shifted to start at 0) of the given classes, at most `limit` of them. */
function subset(images: Tensor, labels: Tensor, classes: number[], limit = Infinity): { x: Tensor; y: Tensor } {
  const all = labels.toArray() as number[];
  const idx = all.flatMap((v, i) => (classes.includes(v) ? [i] : [])).slice(0, limit);
  return { x: rows(images, idx), y: rows(labels, idx).sub(classes[0]!).int() };
}

/** AdamW with weight decay and a cosine schedule over `epochs`, on the parameters that require gradients. */
export function fitOn(model: ax.nn.Module, x: Tensor, y: Tensor, epochs: number, lr: number, batchSize = 64): void {
  const opt = new optim.AdamW(
    model.parameters().filter((p) => p.requiresGrad),
    { lr, weightDecay: 1e-4 },
  );
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize, shuffle: true });
  train.fit(model, loader, {
    epochs,
    optimizer: opt,
    loss: nn.functional.crossEntropy,
    scheduler: new optim.CosineAnnealingLR(opt, epochs),
  });
}

export function runTransfer(
  o: {
    pretrainEpochs?: number;
    pretrainSize?: number;
    labelled?: number;
    fineTuneEpochs?: number;
    testSize?: number;
    seed?: number;
  } = {},
) {
  ax.manualSeed(o.seed ?? 0);
  const tr = data.fashionMnist('train'),
    te = data.fashionMnist('test');
  const source = subset(tr.images, tr.labels, [0, 1, 2, 3, 4], o.pretrainSize);
  const target = subset(tr.images, tr.labels, [5, 6, 7, 8, 9], o.labelled ?? 500);
  const targetTest = subset(te.images, te.labels, [5, 6, 7, 8, 9], o.testSize);
  const sourceTest = subset(te.images, te.labels, [0, 1, 2, 3, 4], o.testSize);
  const accuracy = (m: ax.nn.Module, s: { x: Tensor; y: Tensor }) => train.metrics.accuracy(train.predict(m, s.x), s.y);
  const fineTuneEpochs = o.fineTuneEpochs ?? 30;

  const pretrained = new FashionCnn(5);
  const [, pretrainSeconds] = timed(() => fitOn(pretrained, source.x, source.y, o.pretrainEpochs ?? 2, 2e-3));
  const sourceAccuracy = accuracy(pretrained, sourceTest);

  // Transfer: keep the convolutional features (frozen), replace the classifier head.
  pretrained.freezeFeatures();
  pretrained.head = new nn.Sequential(
    new nn.Dropout(0.3),
    new nn.Linear(64 * 7 * 7, 128),
    new nn.ReLU(),
    new nn.Linear(128, 5),
  );
  const [, transferSeconds] = timed(() => fitOn(pretrained, target.x, target.y, fineTuneEpochs, 2e-3));
  const transferAccuracy = accuracy(pretrained, targetTest);

  ax.manualSeed((o.seed ?? 0) + 1);
  const scratch = new FashionCnn(5);
  const [, scratchSeconds] = timed(() => fitOn(scratch, target.x, target.y, fineTuneEpochs, 2e-3));
  const scratchAccuracy = accuracy(scratch, targetTest);
  return {
    sourceAccuracy,
    transferAccuracy,
    scratchAccuracy,
    pretrainSeconds,
    transferSeconds,
    scratchSeconds,
    labelled: target.x.shape[0]!,
    testImages: targetTest.x.shape[0]!,
    pretrainImages: source.x.shape[0]!,
  };
}

if (isMain(import.meta.url)) {
  const r = runTransfer({ pretrainEpochs: flag('pretrain-epochs', 2), labelled: flag('labelled', 500) });
  console.log(
    `pre-trained on ${r.pretrainImages} images of classes 0–4 in ${r.pretrainSeconds.toFixed(0)} s: test accuracy on classes 0–4 ${r.sourceAccuracy.toFixed(4)}`,
  );
  console.log(`classes 5–9 from ${r.labelled} labelled images, tested on ${r.testImages}:`);
  console.log(
    `  frozen pre-trained features + new head: ${r.transferAccuracy.toFixed(4)} (${r.transferSeconds.toFixed(0)} s)`,
  );
  console.log(
    `  same network from scratch:              ${r.scratchAccuracy.toFixed(4)} (${r.scratchSeconds.toFixed(0)} s)`,
  );
}
