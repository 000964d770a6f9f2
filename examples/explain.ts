/**
 * What did the model look at? Attributions for the Fashion-MNIST CNN (integrated gradients and
 * Grad-CAM, drawn over the images), a check that they are not noise (occluding the pixels they
 * rank highest hurts the prediction far more than occluding as many at random), and permutation
 * importance for the breast-cancer MLP.
 *
 *   npx tsx examples/explain.ts [--train 12000] [--epochs 2] [--out docs]
 */
import { mkdirSync } from 'node:fs';
import * as ax from '../src/index.js';
import { isMain, timed } from './common.js';
import { runFashionMnist } from './fashion-mnist-cnn.js';
import { runBreastCancer } from './tabular.js';

const { explain, io, train } = ax;
export const CLASSES = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Boot'];

/** The predicted class's probability after setting `mask`ed pixels to 0, for each image. */
function probabilityAfter(model: ax.nn.Module, x: ax.Tensor, cls: number[], mask: ax.Tensor): number[] {
  const p = train.predict(model, x.mul(mask.logicalNot().float())).softmax(1);
  return cls.map((c, i) => p.select(0, i).select(0, c).item());
}

/**
 * Occludes the top `fraction` of pixels by |attribution| in each image, and as many pixels chosen
 * at random, and returns the mean drop of the predicted class's probability for each.
 */
export function faithfulness(
  model: ax.nn.Module,
  x: ax.Tensor,
  attributions: ax.Tensor,
  fraction: number,
  generator: ax.Generator,
) {
  const N = x.shape[0]!,
    P = x.numel / N,
    k = Math.round(fraction * P);
  const cls = train.predict(model, x).argmax(1).toArray() as number[];
  const before = probabilityAfter(model, x, cls, x.zerosLike().bool());
  const score = attributions.abs().reshape(N, P).toArray() as number[][];
  const top = new Uint8Array(N * P),
    random = new Uint8Array(N * P);
  score.forEach((row, n) => {
    const order = row.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
    for (let j = 0; j < k; j++) top[n * P + order[j]![1]] = 1;
    const perm = ax.randperm(P, { generator }).toArray() as number[];
    for (let j = 0; j < k; j++) random[n * P + perm[j]!] = 1;
  });
  const mask = (m: Uint8Array) => ax.fromTypedArray(m, x.shape).bool();
  const afterTop = probabilityAfter(model, x, cls, mask(top)),
    afterRandom = probabilityAfter(model, x, cls, mask(random));
  const meanDrop = (after: number[]) => after.reduce((s, v, i) => s + before[i]! - v, 0) / N;
  return { topDrop: meanDrop(afterTop), randomDrop: meanDrop(afterRandom), before: before.reduce((a, b) => a + b) / N };
}

export function runExplain(
  o: { trainSize?: number; epochs?: number; out?: string; images?: number; checked?: number } = {},
) {
  const out = o.out ?? 'docs';
  mkdirSync(out, { recursive: true });
  const trained = runFashionMnist({ trainSize: o.trainSize ?? 12000, epochs: o.epochs ?? 2, testSize: 2000 });
  const model = trained.model.eval();
  const test = ax.data.fashionMnist('test');
  // One test image of each class.
  const labels = test.labels.toArray() as number[];
  const picks = CLASSES.map((_, c) => labels.indexOf(c)).slice(0, o.images ?? 10);
  const x = test.images.indexSelect(0, ax.tensor(picks, { dtype: 'int32' }));
  const pred = train.predict(model, x).softmax(1);
  const predicted = pred.argmax(1).toArray() as number[];
  const titles = predicted.map((c, i) => `${CLASSES[c]} ${(100 * pred.select(0, i).select(0, c).item()).toFixed(0)}%`);

  const [ig, igSeconds] = timed(() => explain.integratedGradients(model, x, { target: predicted, steps: 64 }));
  const gap = ig.delta.abs().div(
    train
      .predict(model, x)
      .gather(1, ax.tensor(predicted, { dtype: 'int32' }).unsqueeze(1))
      .squeeze(1)
      .sub(
        train
          .predict(model, x.zerosLike())
          .gather(1, ax.tensor(predicted, { dtype: 'int32' }).unsqueeze(1))
          .squeeze(1),
      )
      .abs(),
  );
  io.saveHeatmap(`${out}/explain-integrated-gradients.png`, ig.attributions, { images: x, titles, scale: 4 });
  // Grad-CAM on the second convolution block's output (after its ReLU), upsampled to 28×28.
  const layer = (model as unknown as { features: ax.nn.Sequential }).features.at(6);
  const cam = explain.gradCam(model, layer, x, { target: predicted, relu: true, upsample: 'bilinear' });
  io.saveHeatmap(`${out}/explain-grad-cam.png`, cam, { images: x, titles, scale: 4, sign: 'positive', perMap: true });

  // Faithfulness on more images: occlude the top 10 % of pixels by |IG| against 10 % at random.
  const n = o.checked ?? 200;
  const xs = test.images.narrow(0, 0, n);
  const cls = train.predict(model, xs).argmax(1).toArray() as number[];
  const igMany = explain.integratedGradients(model, xs, { target: cls, steps: 32, internalBatchSize: 1600 });
  const check = faithfulness(model, xs, igMany.attributions, 0.1, new ax.Generator(0));

  // Permutation importance of the breast-cancer MLP on its held-out rows, scored by accuracy.
  const bc = runBreastCancer();
  const accuracy = (p: ax.Tensor, t: ax.Tensor) => train.metrics.accuracy(p.flatten().gt(0).int(), t);
  const imp = explain.permutationImportance(bc.model.eval(), bc.xTest, bc.yTest, accuracy, {
    repeats: 10,
    featureNames: bc.featureNames,
    generator: new ax.Generator(0),
  });
  const top = imp.mean
    .map((m, i) => ({ name: imp.features[i]!, mean: m, std: imp.std[i]! }))
    .sort((a, b) => b.mean - a.mean)
    .slice(0, 12);
  io.saveBarChart(`${out}/explain-permutation-importance.png`, {
    title: `Breast cancer MLP: accuracy lost when a feature is shuffled (test accuracy ${imp.baseline.toFixed(3)}, 10 repeats)`,
    labels: top.map((t) => t.name),
    values: top.map((t) => t.mean),
    errors: top.map((t) => t.std),
  });
  return {
    testAccuracy: trained.testAccuracy,
    igSeconds,
    completeness: Math.max(...(gap.toArray() as number[])),
    faithfulness: check,
    importance: { baseline: imp.baseline, top },
  };
}

if (isMain(import.meta.url)) {
  const flag = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? undefined : process.argv[i + 1];
  };
  const r = runExplain({
    trainSize: Number(flag('train') ?? 12000),
    epochs: Number(flag('epochs') ?? 2),
    out: flag('out') ?? 'docs',
  });
  console.log(`Fashion-MNIST CNN test accuracy (2 000 images) ${r.testAccuracy.toFixed(3)}`);
  console.log(
    `integrated gradients, 10 images × 64 steps: ${r.igSeconds.toFixed(2)} s; largest completeness error ${(100 * r.completeness).toFixed(2)} % of f(x) − f(0)`,
  );
  const f = r.faithfulness;
  console.log(
    `occluding 10 % of pixels (200 test images, predicted class probability ${f.before.toFixed(3)}): top by |IG| drops it by ${f.topDrop.toFixed(3)}, random by ${f.randomDrop.toFixed(3)}`,
  );
  console.log(`breast-cancer MLP permutation importance (test accuracy ${r.importance.baseline.toFixed(3)}):`);
  for (const t of r.importance.top.slice(0, 5))
    console.log(`  ${t.name.padEnd(24)} ${t.mean.toFixed(4)} ± ${t.std.toFixed(4)}`);
  console.log(
    'pictures in docs/: explain-integrated-gradients.png, explain-grad-cam.png, explain-permutation-importance.png',
  );
}
