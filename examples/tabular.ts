/**
 * Tabular data, each with a classic baseline trained by the same code:
 * - regression on data/diabetes.csv: an MLP against linear regression (RMSE, R² on a held-out 20 %);
 * - binary classification on data/breast_cancer.csv: an MLP against logistic regression (F1).
 *
 *   npx tsx examples/tabular.ts
 */
import * as ax from '../src/index.js';
import { dataPath, isMain, rows } from './common.js';

const { nn, data, optim, train } = ax;
type Tensor = ax.Tensor;

/** Row indices of a seeded random 80/20 split. */
function split(n: number, seed: number): [number[], number[]] {
  const [a, b] = data.randomSplit({ length: n, get: (i: number) => i }, [0.8, 0.2], new ax.Generator(seed));
  return [[...a!.indices], [...b!.indices]];
}

function fitModel(
  model: ax.nn.Module,
  x: Tensor,
  y: Tensor,
  loss: (o: Tensor, t: Tensor) => Tensor,
  epochs: number,
  weightDecay: number,
) {
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true });
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2, weightDecay });
  train.fit(model, loader, { epochs, optimizer: opt, loss, scheduler: new optim.CosineAnnealingLR(opt, epochs) });
}

/** RMSE and R² (in the target's own units) of an MLP and of linear regression on diabetes. */
export function runDiabetes(o: { epochs?: number; seed?: number } = {}) {
  const epochs = o.epochs ?? 200;
  ax.manualSeed(o.seed ?? 0);
  const d = data.loadCsv(dataPath('diabetes.csv'), { target: 'progression' });
  const [tr, te] = split(d.features.shape[0]!, o.seed ?? 0);
  const xs = new data.StandardScaler().fit(rows(d.features, tr));
  const y = d.target!.float().unsqueeze(1);
  const ys = new data.StandardScaler().fit(rows(y, tr));
  const xTrain = xs.transform(rows(d.features, tr)),
    xTest = xs.transform(rows(d.features, te));
  const yTrain = ys.transform(rows(y, tr)),
    yTest = rows(y, te);
  const score = (model: ax.nn.Module) => {
    const pred = train.predict(model, xTest).mul(ys.std!).add(ys.mean!);
    return { rmse: train.metrics.rmse(pred, yTest), r2: train.metrics.r2(pred, yTest) };
  };
  const linear = new nn.Linear(10, 1);
  fitModel(linear, xTrain, yTrain, nn.functional.mseLoss, epochs, 0);
  const mlp = new nn.Sequential(new nn.Linear(10, 32), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(32, 1));
  fitModel(mlp, xTrain, yTrain, nn.functional.mseLoss, epochs, 0.1);
  return { linear: score(linear), mlp: score(mlp), testRows: te.length };
}

/** F1 (malignant = positive) and accuracy of an MLP and of logistic regression on breast cancer. */
export function runBreastCancer(o: { epochs?: number; seed?: number } = {}) {
  const epochs = o.epochs ?? 60;
  ax.manualSeed(o.seed ?? 0);
  const d = data.loadCsv(dataPath('breast_cancer.csv'), { target: 'benign' });
  const malignant = d.target!.eq(0).float().unsqueeze(1);
  const [tr, te] = data.stratifiedSplit(
    malignant.flatten().toArray() as number[],
    [0.8, 0.2],
    new ax.Generator(o.seed ?? 0),
  );
  const scaler = new data.StandardScaler().fit(rows(d.features, tr!));
  const xTrain = scaler.transform(rows(d.features, tr!)),
    xTest = scaler.transform(rows(d.features, te!));
  const yTrain = rows(malignant, tr!),
    yTest = rows(malignant, te!).flatten().int();
  const score = (model: ax.nn.Module) => {
    const pred = train.predict(model, xTest).flatten().gt(0).int();
    const f1 = train.metrics.precisionRecallF1(pred, yTest, { average: 'macro', numClasses: 2 });
    const cm = train.metrics.confusionMatrix(pred, yTest, 2);
    // F1 of the positive (malignant) class from the confusion matrix [target][pred].
    const tp = cm[1]![1]!,
      fp = cm[0]![1]!,
      fn = cm[1]![0]!;
    return { f1: (2 * tp) / (2 * tp + fp + fn), macroF1: f1.f1, accuracy: train.metrics.accuracy(pred, yTest) };
  };
  const loss = (o: Tensor, t: Tensor) => nn.functional.binaryCrossEntropyWithLogits(o, t);
  const logistic = new nn.Linear(30, 1);
  fitModel(logistic, xTrain, yTrain, loss, epochs, 1e-2);
  const mlp = new nn.Sequential(new nn.Linear(30, 32), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(32, 1));
  fitModel(mlp, xTrain, yTrain, loss, epochs, 1e-2);
  return {
    logistic: score(logistic),
    mlp: score(mlp),
    testRows: te!.length,
    // For explaining the model (examples/explain.ts): the fitted MLP and its held-out data.
    model: mlp,
    xTest,
    yTest,
    featureNames: d.featureNames,
  };
}

if (isMain(import.meta.url)) {
  const t0 = performance.now();
  const dia = runDiabetes();
  console.log(
    `diabetes (442 rows, 10 features; ${dia.testRows} held out): RMSE linear ${dia.linear.rmse.toFixed(1)} (R² ${dia.linear.r2.toFixed(3)}), MLP ${dia.mlp.rmse.toFixed(1)} (R² ${dia.mlp.r2.toFixed(3)})`,
  );
  const bc = runBreastCancer();
  console.log(
    `breast cancer (569 rows, 30 features; ${bc.testRows} held out): malignant F1 logistic ${bc.logistic.f1.toFixed(3)} (accuracy ${bc.logistic.accuracy.toFixed(3)}), MLP ${bc.mlp.f1.toFixed(3)} (accuracy ${bc.mlp.accuracy.toFixed(3)})`,
  );
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
