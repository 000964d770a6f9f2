// Drift of current data against a reference profile, with Evidently's defaults: for a reference of
// ≤ 1 000 rows, Kolmogorov–Smirnov (numeric) and chi-square (categorical) with p < 0.05 meaning
// drift; above that, Wasserstein distance normalised by the reference's standard deviation
// (numeric) and Jensen–Shannon distance (categorical), drift at ≥ 0.1; PSI on request (≥ 0.1).
// The data set has drifted when at least half of its features have.
import { ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type FeatureProfile, type Profile, binCounts, columnsOf } from './profile.js';
import { chiSquare, jensenShannonDistance, ksTwoSample, psi, wassersteinDistance } from './tests.js';

export type DriftMethod = 'ks' | 'chisquare' | 'wasserstein' | 'jensenshannon' | 'psi';

export interface FeatureDrift {
  name: string;
  method: DriftMethod;
  /** The test statistic or distance. */
  statistic: number;
  /** For the tests (ks, chisquare). */
  pValue?: number;
  threshold: number;
  drifted: boolean;
}

export interface DriftReport {
  rows: number;
  features: FeatureDrift[];
  predictions?: FeatureDrift[];
  driftedFeatures: string[];
  share: number;
  datasetDrift: boolean;
}

export interface DriftOptions {
  /** 'auto' (Evidently's choice by reference size, default) or 'psi' for every numeric feature. */
  method?: 'auto' | 'psi';
  /** Override the default threshold (0.05 for p-values, 0.1 for distances and PSI). */
  threshold?: number;
  /** Share of drifted features that makes the data set drifted (default 0.5). */
  driftShare?: number;
  predictions?: Tensor;
}

function featureDrift(ref: FeatureProfile, current: number[], o: DriftOptions): FeatureDrift {
  const name = ref.name;
  if (ref.kind === 'categorical') {
    const keys = Object.keys(ref.counts);
    const cur: Record<string, number> = {};
    for (const v of current) cur[String(v)] = (cur[String(v)] ?? 0) + 1;
    // Categories only the current data has count against the reference too.
    const all = [...new Set([...keys, ...Object.keys(cur)])];
    const r = all.map((k) => ref.counts[k] ?? 0),
      c = all.map((k) => cur[k] ?? 0);
    if (ref.count <= 1000) {
      const { statistic, pValue } = chiSquare(r, c);
      const threshold = o.threshold ?? 0.05;
      return { name, method: 'chisquare', statistic, pValue, threshold, drifted: pValue < threshold };
    }
    const statistic = jensenShannonDistance(r, c);
    const threshold = o.threshold ?? 0.1;
    return { name, method: 'jensenshannon', statistic, threshold, drifted: statistic >= threshold };
  }
  if (o.method === 'psi') {
    const statistic = psi(ref.binCounts, binCounts(current, ref.binEdges));
    const threshold = o.threshold ?? 0.1;
    return { name, method: 'psi', statistic, threshold, drifted: statistic >= threshold };
  }
  if (ref.values) {
    const { statistic, pValue } = ksTwoSample(ref.values, current);
    const threshold = o.threshold ?? 0.05;
    return { name, method: 'ks', statistic, pValue, threshold, drifted: pValue < threshold };
  }
  const statistic = wassersteinDistance(ref.quantiles!, Float64Array.from(current).sort(), ref.std);
  const threshold = o.threshold ?? 0.1;
  return { name, method: 'wasserstein', statistic, threshold, drifted: statistic >= threshold };
}

/** Compares current rows [M, F] (and predictions) with the reference profile. */
export function detectDrift(profile: Profile, current: Tensor, options: DriftOptions = {}): DriftReport {
  if (!profile || profile.format !== 'axon-profile/1')
    throw new ValueError('detectDrift: expected a profile from profileData');
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'psi')
    throw new ValueError(`detectDrift: method must be 'auto' or 'psi', got '${method}'`);
  const share = options.driftShare ?? 0.5;
  if (!(share > 0 && share <= 1)) throw new ValueError(`detectDrift: driftShare must be in (0, 1], got ${share}`);
  const cols = columnsOf('detectDrift', current);
  if (cols.length !== profile.features.length)
    throw new ShapeError(`detectDrift: ${cols.length} features, the profile has ${profile.features.length}`);
  const features = profile.features.map((f, j) => featureDrift(f, cols[j]!, options));
  const driftedFeatures = features.filter((f) => f.drifted).map((f) => f.name);
  const report: DriftReport = {
    rows: cols[0]!.length,
    features,
    driftedFeatures,
    share: driftedFeatures.length / features.length,
    datasetDrift: driftedFeatures.length / features.length >= share,
  };
  if (options.predictions && profile.predictions) {
    const pc = columnsOf('detectDrift', options.predictions);
    report.predictions = profile.predictions.map((f, k) => featureDrift(f, pc[k] ?? [], options));
  }
  return report;
}
