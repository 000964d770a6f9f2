/**
 * Overfitting shown and cured. A wide MLP learns 8×8 digits from only 200 labelled images:
 * without regularisation it memorises them (training loss → 0 while the validation loss climbs);
 * with dropout, weight decay and early stopping (restoring the best weights) it generalises
 * better. Both runs' curves are logged side by side to a CSV file.
 *
 *   npx tsx examples/overfitting.ts [--epochs 150] [--out overfitting.csv]
 */
import { writeFileSync } from 'node:fs';
import * as ax from '../src/index.js';
import { digits, flag, isMain, rows } from './common.js';

const { nn, data, optim, train } = ax;

function mlp(dropout: number): ax.nn.Module {
  const layers: ax.nn.Module[] = [new nn.Flatten(), new nn.Linear(64, 512), new nn.ReLU()];
  if (dropout > 0) layers.push(new nn.Dropout(dropout));
  layers.push(new nn.Linear(512, 512), new nn.ReLU());
  if (dropout > 0) layers.push(new nn.Dropout(dropout));
  layers.push(new nn.Linear(512, 10));
  return new nn.Sequential(...layers);
}

export function runOverfitting(o: { epochs?: number; trainSize?: number; seed?: number; out?: string } = {}) {
  const epochs = o.epochs ?? 150,
    n = o.trainSize ?? 200;
  const d = digits(o.seed ?? 0);
  // 200 to train, 200 to validate (early stopping watches these), the rest to test.
  const order = ax.randperm(d.xTrain.shape[0]!, { generator: new ax.Generator(1) }).toArray() as number[];
  const tr = order.slice(0, n),
    va = order.slice(n, 2 * n);
  const loader = (idx: number[], shuffle: boolean) =>
    new data.DataLoader(new data.TensorDataset(rows(d.xTrain, idx), rows(d.yTrain, idx)), { batchSize: 32, shuffle });
  const test = new data.DataLoader(new data.TensorDataset(d.xTest, d.yTest), { batchSize: 512 });
  const metrics = { accuracy: train.metrics.accuracy };

  const run = (regularised: boolean) => {
    ax.manualSeed(o.seed ?? 0);
    const model = mlp(regularised ? 0.5 : 0);
    const opt = regularised
      ? new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.1 })
      : new optim.Adam(model.parameters(), { lr: 1e-3 });
    const early = new train.EarlyStopping({ monitor: 'valLoss', patience: 15, restoreBestWeights: true });
    const history = train.fit(model, loader(tr, true), {
      epochs,
      optimizer: opt,
      loss: nn.functional.crossEntropy,
      validation: loader(va, false),
      metrics,
      callbacks: regularised ? [early] : [],
    });
    const final = train.evaluate(model, test, { loss: nn.functional.crossEntropy, metrics });
    const trainAcc = train.evaluate(model, loader(tr, false), { metrics })['accuracy']!;
    return {
      history,
      testAccuracy: final['accuracy']!,
      testLoss: final['loss']!,
      trainAccuracy: trainAcc,
      stoppedAt: regularised ? early.stoppedEpoch : -1,
      bestEpoch: regularised ? early.bestEpoch : -1,
    };
  };
  const plain = run(false),
    cured = run(true);
  if (o.out) {
    const lines = [
      'epoch,plain_train_loss,plain_val_loss,plain_val_accuracy,regularised_train_loss,regularised_val_loss,regularised_val_accuracy',
    ];
    for (let e = 0; e < plain.history.epochs.length; e++) {
      const p = plain.history.epochs[e]!,
        r = cured.history.epochs[e];
      lines.push(
        [
          e + 1,
          p['loss'],
          p['valLoss'],
          p['valAccuracy'],
          r?.['loss'] ?? '',
          r?.['valLoss'] ?? '',
          r?.['valAccuracy'] ?? '',
        ].join(','),
      );
    }
    writeFileSync(o.out, `${lines.join('\n')}\n`);
  }
  return { plain, cured };
}

if (isMain(import.meta.url)) {
  const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1]! : 'overfitting.csv';
  const t0 = performance.now();
  const { plain, cured } = runOverfitting({ epochs: flag('epochs', 150), out });
  const show = (name: string, r: typeof plain) => {
    const h = r.history.epochs;
    const minVal = Math.min(...h.map((e) => e['valLoss']!));
    console.log(
      `${name}: ${h.length} epochs, final train loss ${h.at(-1)!['loss']!.toFixed(4)}, validation loss min ${minVal.toFixed(3)} → final ${h.at(-1)!['valLoss']!.toFixed(3)}; train accuracy ${r.trainAccuracy.toFixed(3)}, test accuracy ${r.testAccuracy.toFixed(4)} (test loss ${r.testLoss.toFixed(3)})`,
    );
  };
  console.log('MLP 64-512-512-10 on 200 digits (200 more validate, 355 test)');
  show('no regularisation              ', plain);
  show('dropout 0.5 + wd 0.1 + early stop', cured);
  console.log(
    `early stopping stopped at epoch ${cured.stoppedAt} and restored epoch ${cured.bestEpoch}; curves in ${out}; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
