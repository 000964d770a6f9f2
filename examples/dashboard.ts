/**
 * Watch training live: two runs of the digits CNN (learning rates 3e-3 and 3e-2) written to runs/,
 * each epoch's metrics, confusion matrix and an integrated-gradients heatmap, shown side by side by
 * the dashboard at http://127.0.0.1:6007/ while they train. The page stays up until Ctrl-C.
 *
 *   npx tsx examples/dashboard.ts [--epochs 15] [--port 6007] [--exit]
 *   (later, for the saved runs: npx axon dashboard runs)
 */
import { join } from 'node:path';
import * as ax from '../src/index.js';
import { digits, flag, isMain } from './common.js';
import { digitsCnn } from './digits-cnn.js';

const { data, optim, train, explain, io } = ax;

export function runDashboardDemo(o: { epochs?: number; logDir?: string; port?: number } = {}) {
  const logDir = o.logDir ?? 'runs';
  const dashboard = train.startDashboard(logDir, { port: o.port ?? 6007 });
  console.log(`dashboard: ${dashboard.url}`);
  const d = digits();
  const test = new data.DataLoader(new data.TensorDataset(d.xTest, d.yTest), { batchSize: 256 });
  const explained = d.xTest.narrow(0, 0, 8);
  const results: Record<string, number> = {};
  for (const lr of [3e-3, 3e-2]) {
    ax.manualSeed(0);
    const model = digitsCnn();
    const run = join(logDir, `digits-cnn-lr${lr}`);
    // What the model looks at, redrawn every epoch into the run's folder (the dashboard shows it).
    const heatmap: ax.train.Callback = {
      onEpochEnd(e) {
        const target = train.predict(e.model, explained).argmax(1);
        const { attributions } = explain.integratedGradients(e.model, explained, { target, steps: 16 });
        io.saveHeatmap(join(run, 'integrated-gradients.png'), attributions, { images: explained, nrow: 8, scale: 8 });
      },
    };
    const history = train.fit(
      model,
      new data.DataLoader(new data.TensorDataset(d.xTrain, d.yTrain), { batchSize: 32, shuffle: true }),
      {
        epochs: o.epochs ?? 15,
        optimizer: new optim.Adam(model.parameters(), { lr }),
        loss: ax.nn.functional.crossEntropy,
        validation: test,
        metrics: { accuracy: train.metrics.accuracy },
        callbacks: [
          new train.MetricsLogger(join(run, 'metrics.jsonl'), 'jsonl', {
            confusionMatrix: { data: test, numClasses: 10 },
          }),
          heatmap,
        ],
        progress: false,
      },
    );
    results[`lr ${lr}`] = history.epochs.at(-1)!['valAccuracy']!;
  }
  return { dashboard, results };
}

if (isMain(import.meta.url)) {
  const { dashboard, results } = runDashboardDemo({ epochs: flag('epochs', 15), port: flag('port', 6007) });
  for (const [k, v] of Object.entries(results)) console.log(`${k}: test accuracy ${v.toFixed(3)}`);
  if (process.argv.includes('--exit')) await dashboard.close();
  else {
    console.log(`training done; the dashboard stays at ${dashboard.url} (Ctrl-C to stop)`);
    setInterval(() => {}, 1 << 30);
  }
}
