/**
 * Hyper-parameter search on Fashion-MNIST (a 4 000-image subset; Debian's dataset-fashion-mnist):
 * learning rate, weight decay, dropout and width of a CNN, tuned by random search with ASHA early
 * stopping and by grid search, trials in parallel processes (one thread each). The best
 * configuration is retrained and compared on test images with the default one (AdamW's defaults,
 * dropout 0.5, width 16).
 *
 *   npx tsx examples/tune-fashion.ts [--samples 24] [--epochs 9] [--no-grid]
 */
import * as ax from '../src/index.js';
import { flag } from './common.js';
import { type FashionConfig, SUBSET, testAccuracy, trainConfig } from './tune-fashion-trial.js';

const { tune } = ax;
const trial = new URL('./tune-fashion-trial.ts', import.meta.url).pathname;
const epochs = flag('epochs', 9),
  samples = flag('samples', 24);
const log = (line: string) => console.log(`  ${line}`);

console.log(
  `ASHA: ${samples} random configurations, up to ${epochs} epochs, rungs at 1 and 3 epochs (keep the top third)`,
);
const asha = await tune.run({
  trial,
  space: {
    lr: tune.logUniform(3e-4, 3e-2),
    weightDecay: tune.logUniform(1e-5, 1e-1),
    dropout: tune.uniform(0, 0.6),
    width: tune.choice([8, 16, 32]),
  },
  metric: 'valAccuracy',
  numSamples: samples,
  seed: 0,
  scheduler: tune.asha({ maxEpochs: epochs, gracePeriod: 1, reductionFactor: 3 }),
  log,
});
console.log(tune.resultsTable(asha));

let grid: ax.tune.TuneResult | null = null;
if (!process.argv.includes('--no-grid')) {
  console.log(`\ngrid search: 3 lr × 2 weight decays × 2 dropouts × 2 widths, ${epochs} epochs each`);
  grid = await tune.run({
    trial,
    space: {
      lr: tune.choice([1e-3, 3e-3, 1e-2]),
      weightDecay: tune.choice([1e-4, 1e-2]),
      dropout: tune.choice([0, 0.4]),
      width: tune.choice([8, 32]),
    },
    search: 'grid',
    metric: 'valAccuracy',
    maxEpochs: epochs,
    log,
  });
}

const defaults: FashionConfig = { lr: 1e-3, weightDecay: 1e-2, dropout: 0.5, width: 16 };
const score = (c: FashionConfig) => testAccuracy(trainConfig(c, epochs).model);
const fmt = (c: FashionConfig) =>
  `lr ${c.lr.toPrecision(2)}, weight decay ${c.weightDecay.toPrecision(2)}, dropout ${c.dropout.toFixed(2)}, width ${c.width}`;
console.log(`\nretrained for ${epochs} epochs on ${SUBSET.train} images, scored on ${SUBSET.test} test images:`);
console.log(`  default (${fmt(defaults)}): test accuracy ${score(defaults).toFixed(4)}`);
const ashaBest = asha.best!.config as unknown as FashionConfig;
console.log(
  `  ASHA best (${fmt(ashaBest)}): test accuracy ${score(ashaBest).toFixed(4)} — search: ${asha.epochsRun} epochs, ${asha.wallSeconds.toFixed(0)} s`,
);
if (grid) {
  const gridBest = grid.best!.config as unknown as FashionConfig;
  console.log(
    `  grid best (${fmt(gridBest)}): test accuracy ${score(gridBest).toFixed(4)} — search: ${grid.epochsRun} epochs, ${grid.wallSeconds.toFixed(0)} s`,
  );
  console.log(
    `  ASHA used ${((100 * asha.epochsRun) / grid.epochsRun).toFixed(0)} % of grid search's epochs (${((100 * asha.wallSeconds) / grid.wallSeconds).toFixed(0)} % of its time)`,
  );
}
