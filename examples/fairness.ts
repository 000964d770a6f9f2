/**
 * Is the model as good for everyone? A classifier of "disease progression above the median" on the
 * diabetes data (442 patients), audited by sex (the data's `sex` column, coded 1 and 2), then
 * mitigated twice: reweighing the training samples (fit's sampleWeights) and per-group decision
 * thresholds (demographic parity). Prints the fairness table before and after, and what accuracy
 * each mitigation costs.
 *
 *   npx tsx examples/fairness.ts [--epochs 150]
 */
import * as ax from '../src/index.js';
import { dataPath, flag, isMain, rows } from './common.js';

const { nn, data, optim, train, fairness } = ax;
type Tensor = ax.Tensor;

function trainClassifier(x: Tensor, y: Tensor, weights: Tensor | null, epochs: number): ax.nn.Module {
  ax.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(x.shape[1]!, 16), new nn.ReLU(), new nn.Linear(16, 1));
  const tensors = weights ? [x, y, weights] : [x, y];
  const loader = new data.DataLoader(new data.TensorDataset(...tensors), { batchSize: 32, shuffle: true });
  const opt = new optim.AdamW(model.parameters(), { lr: 5e-3, weightDecay: 1e-2 });
  train.fit(model, loader, {
    epochs,
    optimizer: opt,
    loss: (o, t, options) => nn.functional.binaryCrossEntropyWithLogits(o, t, options),
    sampleWeights: weights !== null,
    progress: false,
  });
  return model.eval();
}

const metrics = {
  accuracy: train.metrics.accuracy,
  selectionRate: fairness.selectionRate,
  truePositiveRate: fairness.truePositiveRate,
  falsePositiveRate: fairness.falsePositiveRate,
};

function audit(name: string, yTrue: Tensor, yPred: Tensor, sex: number[]) {
  const frame = new fairness.MetricFrame({ metrics, yTrue, yPred, sensitive: { sex } });
  return {
    name,
    frame,
    accuracy: frame.overall['accuracy']!,
    demographicParity: fairness.demographicParityDifference(yTrue, yPred, { sex }),
    equalizedOdds: fairness.equalizedOddsDifference(yTrue, yPred, { sex }),
  };
}

export function runFairness(o: { epochs?: number; seed?: number } = {}) {
  const epochs = o.epochs ?? 150;
  const d = data.loadCsv(dataPath('diabetes.csv'), { target: 'progression' });
  const sexColumn = d.featureNames.indexOf('sex');
  const progression = d.target!.float();
  const [tr, te] = data.stratifiedSplit(
    d.features.select(1, sexColumn).toArray() as number[],
    [0.7, 0.3],
    new ax.Generator(o.seed ?? 0),
  );
  // "Above the median" with the training rows' median, so the test rows stay unseen.
  const median = rows(progression, tr!).toArray() as number[];
  median.sort((a, b) => a - b);
  const cut = median[Math.floor(median.length / 2)]!;
  const label = progression.gt(cut).int();
  const scaler = new data.StandardScaler().fit(rows(d.features, tr!));
  const xTrain = scaler.transform(rows(d.features, tr!)),
    xTest = scaler.transform(rows(d.features, te!));
  const yTrain = rows(label, tr!),
    yTest = rows(label, te!);
  const sexTrain = rows(d.features, tr!).select(1, sexColumn).toArray() as number[],
    sexTest = rows(d.features, te!).select(1, sexColumn).toArray() as number[];
  const scoresOf = (m: ax.nn.Module, x: Tensor) => train.predict(m, x).flatten();

  const plain = trainClassifier(xTrain, yTrain.float().unsqueeze(1), null, epochs);
  const before = audit('unmitigated', yTest, scoresOf(plain, xTest).gt(0).int(), sexTest);

  const weights = fairness.reweighing(yTrain, { sex: sexTrain });
  const reweighed = trainClassifier(xTrain, yTrain.float().unsqueeze(1), weights, epochs);
  const afterReweighing = audit('reweighing', yTest, scoresOf(reweighed, xTest).gt(0).int(), sexTest);

  const thresholds = fairness.thresholdOptimizer({
    scores: scoresOf(plain, xTrain),
    yTrue: yTrain,
    sensitive: { sex: sexTrain },
    constraint: 'demographicParity',
  });
  const afterThresholds = audit(
    'group thresholds',
    yTest,
    thresholds.predict(scoresOf(plain, xTest), { sex: sexTest }),
    sexTest,
  );
  // On the training rows, where the mitigations were fitted.
  const trainParity = [
    scoresOf(plain, xTrain).gt(0).int(),
    scoresOf(reweighed, xTrain).gt(0).int(),
    thresholds.predict(scoresOf(plain, xTrain), { sex: sexTrain }),
  ].map((p) => fairness.demographicParityDifference(yTrain, p, { sex: sexTrain }));
  return {
    median: cut,
    trainParity,
    trainRows: tr!.length,
    testRows: te!.length,
    results: [before, afterReweighing, afterThresholds],
    thresholds: thresholds.thresholds,
  };
}

if (isMain(import.meta.url)) {
  const r = runFairness({ epochs: flag('epochs', 150) });
  console.log(
    `diabetes: progression > ${r.median} (training median), ${r.trainRows} training / ${r.testRows} test patients, sensitive feature: sex (1, 2)\n`,
  );
  for (const x of r.results) {
    console.log(`${x.name}:\n${x.frame.toTable()}\n`);
  }
  console.log(
    'summary (test set)            accuracy  demographic parity diff.  equalized odds diff.  (DP diff. on training rows)',
  );
  r.results.forEach((x, i) =>
    console.log(
      `  ${x.name.padEnd(28)}${x.accuracy.toFixed(3).padStart(8)}${x.demographicParity.toFixed(3).padStart(26)}${x.equalizedOdds.toFixed(3).padStart(21)}${r.trainParity[i]!.toFixed(3).padStart(16)}`,
    ),
  );
  console.log(`thresholds on the logit: ${JSON.stringify(r.thresholds)}`);
}
