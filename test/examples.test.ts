// Shortened runs of every examples/ script, each asserting a lower bar than the full run reaches
// (the full figures are in the README's examples table).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import * as ax from '../src/index.js';
import { runAutoencoder } from '../examples/autoencoder-anomaly.js';
import { runCharLm } from '../examples/char-lm.js';
import { runDigitsCnn } from '../examples/digits-cnn.js';
import { runFashionMnist } from '../examples/fashion-mnist-cnn.js';
import { runGan } from '../examples/gan-digits.js';
import { runOverfitting } from '../examples/overfitting.js';
import { runBreastCancer, runDiabetes } from '../examples/tabular.js';
import { runTransfer } from '../examples/transfer-learning.js';
import { runOnnxFinetune } from '../examples/onnx-finetune.js';
import { runExplain } from '../examples/explain.js';
import { runFairness } from '../examples/fairness.js';
import { runDashboardDemo } from '../examples/dashboard.js';
import { runDrift } from '../examples/drift.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'axon-example-'));
// The JS backend (the reference) is about 10× slower than the native one, so it runs smaller
// budgets against lower bars; the native backend runs the larger ones.
const js = ax.backendInfo().name === 'js';
// Fashion-MNIST comes from Debian's dataset-fashion-mnist package, which CI installs (.ci/run).
// A developer machine without it skips those tests; CI must not.
const fashionDir = process.env['AXON_FASHION_MNIST'] ?? ax.data.FASHION_MNIST_DIR;
const haveFashion = existsSync(join(fashionDir, 'train-images-idx3-ubyte.gz'));
const fashionSkip =
  haveFashion || process.env['CI'] ? false : `Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)`;

test('digits CNN: ≥ 0.95 test accuracy after 3 epochs (JS: ≥ 0.85 after 1)', () => {
  const r = runDigitsCnn({ epochs: js ? 1 : 3 });
  assert.ok(r.testAccuracy >= (js ? 0.85 : 0.95), `test accuracy ${r.testAccuracy}`);
});

test('tabular: diabetes regression and breast-cancer classification beat trivial predictors', () => {
  const dia = runDiabetes({ epochs: 40 });
  // Predicting the mean gives RMSE ≈ the target's standard deviation (≈ 77): both models do better.
  assert.ok(dia.linear.rmse < 65 && dia.mlp.rmse < 70, `RMSE linear ${dia.linear.rmse}, MLP ${dia.mlp.rmse}`);
  assert.ok(dia.linear.r2 > 0.25, `R² ${dia.linear.r2}`);
  const bc = runBreastCancer({ epochs: 15 });
  assert.ok(bc.logistic.f1 >= 0.9 && bc.mlp.f1 >= 0.9, `F1 logistic ${bc.logistic.f1}, MLP ${bc.mlp.f1}`);
});

test('autoencoder: reconstruction error separates malignant from benign (ROC-AUC ≥ 0.8)', () => {
  const r = runAutoencoder({ epochs: 30 });
  assert.ok(r.rocAuc >= 0.8, `ROC-AUC ${r.rocAuc}`);
  assert.ok(r.malignantError > r.benignError);
});

test('GAN: trains without diverging, writes a valid PNG grid, and is scored by the judge', () => {
  const out = join(tmp(), 'gan.png');
  const r = runGan({ epochs: js ? 5 : 20, judgeEpochs: js ? 1 : 3, out });
  const png = PNG.sync.read(readFileSync(out));
  assert.equal(png.width, 8 * 32 + 9 * 2);
  assert.ok(r.judgeAccuracy >= 0.9, `judge accuracy ${r.judgeAccuracy}`);
  assert.ok(r.confidentShare >= 0 && r.confidentShare <= 1 && r.classesCovered >= (js ? 0 : 1), JSON.stringify(r));
});

test('overfitting: the plain run memorises, the regularised one stops early and tests at least as well', () => {
  const out = join(tmp(), 'curves.csv');
  const { plain, cured } = runOverfitting({ epochs: js ? 40 : 60, out });
  const h = plain.history.epochs;
  assert.ok(h.at(-1)!['loss']! < 0.01, `plain final training loss ${h.at(-1)!['loss']}`);
  const minVal = Math.min(...h.map((e) => e['valLoss']!));
  assert.ok(h.at(-1)!['valLoss']! > minVal * 1.1, "the plain run's validation loss rises from its minimum");
  assert.ok(
    cured.testAccuracy >= plain.testAccuracy - 0.01,
    `test accuracy: regularised ${cured.testAccuracy}, plain ${plain.testAccuracy}`,
  );
  assert.ok(readFileSync(out, 'utf8').startsWith('epoch,plain_train_loss,plain_val_loss'));
});

test('character language models: LSTM, GRU and Transformer learn beyond character frequencies', () => {
  for (const arch of ['lstm', 'gru', 'transformer'] as const) {
    const r = runCharLm({ arch, epochs: 1, chars: js ? 8000 : 40000, seqLen: 32 });
    // A uniform guess over the ~70 characters costs log2(70) ≈ 6.1 bits; frequencies alone ≈ 4.4.
    assert.ok(r.bitsPerChar < (js ? 5 : 4.5), `${arch}: ${r.bitsPerChar} bits/char`);
    const text = r.sample('Elizabeth', 20);
    assert.equal(text.length, 'Elizabeth'.length + 20);
  }
});

test(
  'Fashion-MNIST CNN: ≥ 0.75 test accuracy after one epoch on 4000 images (JS: ≥ 0.6 on 1000)',
  { skip: fashionSkip },
  () => {
    const r = runFashionMnist({ epochs: 1, trainSize: js ? 1000 : 4000, testSize: js ? 500 : 2000 });
    assert.ok(r.testAccuracy >= (js ? 0.6 : 0.75), `test accuracy ${r.testAccuracy}`);
  },
);

test('transfer learning: frozen pre-trained features fine-tune on few labels', { skip: fashionSkip }, () => {
  const r = runTransfer(
    js
      ? { pretrainEpochs: 1, pretrainSize: 1000, labelled: 100, fineTuneEpochs: 3, testSize: 500 }
      : { pretrainEpochs: 1, pretrainSize: 4000, labelled: 200, fineTuneEpochs: 5, testSize: 2000 },
  );
  assert.ok(r.sourceAccuracy >= (js ? 0.6 : 0.8), `source accuracy ${r.sourceAccuracy}`);
  assert.ok(r.transferAccuracy >= (js ? 0.4 : 0.6) && r.scratchAccuracy >= 0.3, JSON.stringify(r));
});

test(
  'ONNX fine-tuning: a PyTorch-trained CNN imported, fine-tuned on few Fashion-MNIST labels, exported',
  { skip: fashionSkip },
  () => {
    const out = join(tmp(), 'tuned.onnx');
    const r = runOnnxFinetune(
      js ? { labelled: 200, epochs: 3, testSize: 500, out } : { labelled: 500, epochs: 8, testSize: 2000, out },
    );
    assert.ok(
      r.tunedAccuracy >= (js ? 0.3 : 0.55) && r.frozenAccuracy >= 0.15 && r.scratchAccuracy >= 0.1,
      JSON.stringify(r),
    );
    const back = ax.onnx.load(out);
    assert.deepEqual(back.inputNames, ['images']);
  },
);

test(
  'explain: attribution pictures written; occluding the top 10 % of pixels by IG hurts far more than at random',
  { skip: fashionSkip },
  () => {
    const out = tmp();
    const r = runExplain(
      js
        ? { trainSize: 1000, epochs: 1, images: 4, checked: 24, out }
        : { trainSize: 3000, epochs: 1, images: 10, checked: 80, out },
    );
    for (const name of ['integrated-gradients', 'grad-cam', 'permutation-importance']) {
      const png = PNG.sync.read(readFileSync(join(out, `explain-${name}.png`)));
      assert.ok(png.width > 100 && png.height > 100, name);
    }
    assert.ok(r.completeness < 0.05, `completeness error ${r.completeness}`);
    assert.ok(r.faithfulness.topDrop > 2 * r.faithfulness.randomDrop, JSON.stringify(r.faithfulness));
    assert.ok(r.importance.top[0]!.mean > 0, JSON.stringify(r.importance.top[0]));
  },
);

test('fairness: the diabetes classifier audited by sex, mitigated by reweighing and group thresholds', () => {
  const r = runFairness({ epochs: js ? 60 : 150 });
  assert.equal(r.results.length, 3);
  for (const x of r.results) {
    assert.ok(x.accuracy > 0.6, `${x.name}: accuracy ${x.accuracy}`);
    assert.deepEqual(x.frame.groups, ['sex=1', 'sex=2']);
  }
  // The thresholds equalise selection rates on the rows they were fitted on.
  assert.ok(r.trainParity[2]! <= 0.02, `training DP difference with group thresholds ${r.trainParity[2]}`);
});

test('dashboard demo: two runs logged with confusion matrices and heatmaps, served as they train', async () => {
  const logDir = tmp();
  const { dashboard, results } = runDashboardDemo({ epochs: js ? 1 : 2, logDir, port: 0 });
  try {
    assert.deepEqual(Object.keys(results), ['lr 0.003', 'lr 0.03']);
    const runs = (await (await fetch(`${dashboard.url}api/runs`)).json()) as {
      runs: { name: string; images: unknown[] }[];
    };
    assert.deepEqual(
      runs.runs.map((r) => [r.name, r.images.length]),
      [
        ['digits-cnn-lr0.003', 1],
        ['digits-cnn-lr0.03', 1],
      ],
    );
    const rows = (await (await fetch(`${dashboard.url}api/metrics?run=digits-cnn-lr0.003`)).json()) as {
      rows: { confusionMatrix: number[][] }[];
    };
    assert.equal(rows.rows.at(-1)!.confusionMatrix.length, 10);
  } finally {
    await dashboard.close();
  }
});

test('drift: held-out breast-cancer rows do not drift; two shifted features are flagged, the others not', () => {
  const r = runDrift();
  assert.deepEqual(r.calm.driftedFeatures, []);
  assert.deepEqual([...r.moved.driftedFeatures].sort(), [...r.shiftedNames].sort());
  assert.equal(r.moved.datasetDrift, false);
});

// The distributed example runs as 2 processes through `axon run` (the Gloo addon, which CI builds).
const ddpSkip =
  ax.distributed.glooAvailable() || process.env['CI']
    ? false
    : 'the Gloo addon is not built (apt-get install libgloo-dev)';

test('ddp-digits: 2 processes reach ≥ 0.9 test accuracy in 4 epochs; only rank 0 prints', { skip: ddpSkip }, () => {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli.ts',
      'run',
      '--nproc-per-node',
      '2',
      '--threads',
      '1',
      'examples/ddp-digits.ts',
      '--epochs',
      '4',
    ],
    { encoding: 'utf8' },
  );
  const m = /ranks 2: test accuracy ([\d.]+)/.exec(out);
  assert.ok(m, out);
  assert.ok(Number(m[1]) >= 0.9, out);
  assert.equal(out.match(/^epoch 4\/4/gm)?.length, 1, out); // one rank logs
});
