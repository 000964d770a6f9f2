/**
 * Watching for data drift: a reference profile of the breast-cancer model's training inputs, then
 * the held-out patients replayed (no drift expected), then the same patients with two features
 * shifted by one standard deviation (those two should be flagged, the others not).
 *
 *   npx tsx examples/drift.ts
 */
import * as ax from '../src/index.js';
import { dataPath, isMain, rows } from './common.js';

const { data, monitor } = ax;

export function runDrift(o: { seed?: number; shifted?: readonly string[] } = {}) {
  const d = data.loadCsv(dataPath('breast_cancer.csv'), { target: 'benign' });
  const [tr, te] = data.stratifiedSplit(d.target!.toArray() as number[], [0.8, 0.2], new ax.Generator(o.seed ?? 0));
  const train = rows(d.features, tr!),
    held = rows(d.features, te!);
  const profile = monitor.profileData(train, { featureNames: d.featureNames });
  const calm = monitor.detectDrift(profile, held);
  // Shift two features by one training standard deviation.
  const shiftedNames = o.shifted ?? ['mean_radius', 'worst_texture'];
  const shift = ax.zeros([d.featureNames.length]);
  const std = train.std(0);
  for (const name of shiftedNames) {
    const j = d.featureNames.indexOf(name);
    ax.noGrad(() => shift.narrow(0, j, 1).copy_(std.narrow(0, j, 1)));
  }
  const moved = monitor.detectDrift(profile, held.add(shift));
  return { referenceRows: train.shape[0]!, currentRows: held.shape[0]!, calm, moved, shiftedNames };
}

if (isMain(import.meta.url)) {
  const r = runDrift();
  const show = (label: string, rep: ax.monitor.DriftReport) => {
    console.log(
      `${label}: ${rep.driftedFeatures.length} of ${rep.features.length} features drifted (${rep.driftedFeatures.join(', ') || 'none'}); data set drift: ${rep.datasetDrift}`,
    );
    for (const f of rep.features.filter((x) => x.drifted || r.shiftedNames.includes(x.name)))
      console.log(
        `  ${f.name.padEnd(24)} ${f.method} D = ${f.statistic.toFixed(3)}, p = ${f.pValue!.toExponential(2)}`,
      );
  };
  console.log(
    `reference: ${r.referenceRows} training rows; current: ${r.currentRows} held-out rows (Kolmogorov–Smirnov, p < 0.05)`,
  );
  show('held-out rows as they are', r.calm);
  show(`the same rows with ${r.shiftedNames.join(' and ')} shifted by one standard deviation`, r.moved);
}
