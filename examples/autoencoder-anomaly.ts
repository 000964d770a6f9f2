/**
 * Anomaly detection with an autoencoder on data/breast_cancer.csv: trained to rebuild benign
 * samples only, it rebuilds malignant ones worse, so the reconstruction error is an anomaly score.
 * Reports the ROC-AUC of that score on held-out benign and all malignant samples.
 *
 *   npx tsx examples/autoencoder-anomaly.ts
 */
import * as ax from '../src/index.js';
import { dataPath, isMain, rows, timed } from './common.js';

const { nn, data, optim, train } = ax;

export class Autoencoder extends nn.Module {
  encoder = new nn.Sequential(new nn.Linear(30, 16), new nn.Tanh(), new nn.Linear(16, 8));
  decoder = new nn.Sequential(new nn.Linear(8, 16), new nn.Tanh(), new nn.Linear(16, 30));
  forward(x: ax.Tensor): ax.Tensor {
    return this.decoder.forward(this.encoder.forward(x));
  }
}

export function runAutoencoder(o: { epochs?: number; seed?: number } = {}) {
  const epochs = o.epochs ?? 100;
  ax.manualSeed(o.seed ?? 0);
  const d = data.loadCsv(dataPath('breast_cancer.csv'), { target: 'benign' });
  const labels = d.target!.toArray() as number[];
  const benign = labels.flatMap((v, i) => (v === 1 ? [i] : [])),
    malignant = labels.flatMap((v, i) => (v === 0 ? [i] : []));
  // 70 % of the benign samples train; the rest and every malignant sample are the test set.
  const order = (ax.randperm(benign.length, { generator: new ax.Generator(o.seed ?? 0) }).toArray() as number[]).map(
    (i) => benign[i]!,
  );
  const cut = Math.round(benign.length * 0.7);
  const trainIdx = order.slice(0, cut),
    testIdx = [...order.slice(cut), ...malignant];
  // Standardise on the training (benign) rows only: malignant samples must not shape the scale.
  const x = d.features;
  const scaler = new data.StandardScaler().fit(rows(x, trainIdx));
  const xTrain = scaler.transform(rows(x, trainIdx)),
    xTest = scaler.transform(rows(x, testIdx));
  const isAnomaly = ax.tensor(
    testIdx.map((i) => (labels[i] === 0 ? 1 : 0)),
    { dtype: 'int32' },
  );

  const model = new Autoencoder();
  const opt = new optim.Adam(model.parameters(), { lr: 3e-3, weightDecay: 1e-5 });
  const loader = new data.DataLoader(new data.TensorDataset(xTrain, xTrain), { batchSize: 32, shuffle: true });
  const [history, seconds] = timed(() =>
    train.fit(model, loader, { epochs, optimizer: opt, loss: nn.functional.mseLoss }),
  );
  const score = train.predict(model, xTest).sub(xTest).square().mean(1);
  return {
    rocAuc: train.metrics.rocAuc(score, isAnomaly),
    trainLoss: history.epochs.at(-1)!['loss']!,
    benignError: score
      .narrow(0, 0, testIdx.length - malignant.length)
      .mean()
      .item(),
    malignantError: score
      .narrow(0, testIdx.length - malignant.length, malignant.length)
      .mean()
      .item(),
    seconds,
    trainRows: trainIdx.length,
    testBenign: testIdx.length - malignant.length,
    testMalignant: malignant.length,
  };
}

if (isMain(import.meta.url)) {
  const r = runAutoencoder();
  console.log(
    `autoencoder 30-16-8-16-30 trained on ${r.trainRows} benign samples; test: ${r.testBenign} benign, ${r.testMalignant} malignant`,
  );
  console.log(
    `mean reconstruction error: benign ${r.benignError.toFixed(3)}, malignant ${r.malignantError.toFixed(3)}`,
  );
  console.log(
    `ROC-AUC of the reconstruction error for malignant vs benign: ${r.rocAuc.toFixed(4)} (${r.seconds.toFixed(1)} s)`,
  );
}
