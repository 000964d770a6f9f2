// A reference profile of a model's training inputs (and predictions): what drift detection compares
// live traffic with. Numeric features keep their sorted values when there are at most 1 000 rows
// (for exact two-sample tests) and a 1 001-point quantile grid otherwise, plus decile bins for the
// population stability index; categorical features keep their category counts.
import { FormatError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { readFileFor, writeFileAtomic } from '../io/files.js';
import { Tensor } from '../tensor/tensor.js';
import { quantileOf } from './tests.js';

export const EXACT_LIMIT = 1000;

export interface NumericProfile {
  name: string;
  kind: 'numeric';
  count: number;
  mean: number;
  std: number;
  /** Sorted values (reference of ≤ 1 000 rows). */
  values?: number[];
  /** Quantiles at 0, 0.001, …, 1 (larger references). */
  quantiles?: number[];
  /** Inner decile edges (9 values) for PSI, and the reference's count in each of the 10 bins. */
  binEdges: number[];
  binCounts: number[];
}

export interface CategoricalProfile {
  name: string;
  kind: 'categorical';
  count: number;
  counts: Record<string, number>;
}

export type FeatureProfile = NumericProfile | CategoricalProfile;

export interface Profile {
  format: 'axon-profile/1';
  rows: number;
  features: FeatureProfile[];
  /** The model's outputs on the reference rows (one column per output value). */
  predictions?: FeatureProfile[];
}

export interface ProfileOptions {
  featureNames?: readonly string[];
  /** Names (or column indices) of categorical features. */
  categorical?: readonly (string | number)[];
  /** The model's predictions on the same rows, [N] or [N, K]. */
  predictions?: Tensor;
}

/** Rows [N, F] of a tensor as columns of numbers. */
export function columnsOf(op: string, x: Tensor): number[][] {
  if (!(x instanceof Tensor) || (x.ndim !== 1 && x.ndim !== 2) || x.shape[0] === 0)
    throw new ShapeError(
      `${op}: expected tabular data [N, F] (or [N]) with N ≥ 1, got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`,
    );
  const m = x.ndim === 1 ? x.unsqueeze(1) : x;
  const [N, F] = m.shape as [number, number];
  const v = m.to('float64').contiguous().toTypedArray();
  return Array.from({ length: F }, (_, j) => Array.from({ length: N }, (_, i) => v[i * F + j]!));
}

/** Which of the 10 decile bins (edges exclusive on the right) each value falls in. */
export function binCounts(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    let b = 0;
    while (b < edges.length && v > edges[b]!) b++;
    counts[b]!++;
  }
  return counts;
}

export function featureProfile(name: string, values: readonly number[], categorical: boolean): FeatureProfile {
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new ValueError(`profile: feature '${name}' holds ${bad}`);
  if (categorical) {
    const counts: Record<string, number> = {};
    for (const v of values) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
    return { name, kind: 'categorical', count: values.length, counts };
  }
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const binEdges = Array.from({ length: 9 }, (_, i) => quantileOf(sorted, (i + 1) / 10));
  const p: NumericProfile = {
    name,
    kind: 'numeric',
    count: n,
    mean,
    std,
    binEdges,
    binCounts: binCounts(values, binEdges),
  };
  if (n <= EXACT_LIMIT) p.values = Array.from(sorted);
  else p.quantiles = Array.from({ length: 1001 }, (_, i) => quantileOf(sorted, i / 1000));
  return p;
}

/** The reference profile of inputs x [N, F] (and predictions). */
export function profileData(x: Tensor, options: ProfileOptions = {}): Profile {
  const cols = columnsOf('profileData', x);
  const names = options.featureNames ? [...options.featureNames] : cols.map((_, j) => `x${j}`);
  if (names.length !== cols.length)
    throw new ValueError(`profileData: ${names.length} feature names for ${cols.length} columns`);
  const categorical = new Set(
    (options.categorical ?? []).map((c) => {
      const j = typeof c === 'number' ? c : names.indexOf(c);
      if (j < 0 || j >= cols.length) throw new ValueError(`profileData: no feature '${c}' to treat as categorical`);
      return j;
    }),
  );
  const profile: Profile = {
    format: 'axon-profile/1',
    rows: cols[0]!.length,
    features: cols.map((c, j) => featureProfile(names[j]!, c, categorical.has(j))),
  };
  if (options.predictions) {
    const pc = columnsOf('profileData', options.predictions);
    if (pc[0]!.length !== profile.rows)
      throw new ShapeError(`profileData: ${pc[0]!.length} predictions for ${profile.rows} rows`);
    profile.predictions = pc.map((c, k) => featureProfile(`prediction${pc.length > 1 ? k : ''}`, c, false));
  }
  return profile;
}

export function saveProfile(path: string, profile: Profile): void {
  writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(profile)), 'saveProfile');
}

export function loadProfile(path: string): Profile {
  let p: Profile;
  try {
    p = JSON.parse(new TextDecoder().decode(readFileFor('loadProfile', path))) as Profile;
  } catch (e) {
    if (e instanceof SyntaxError) throw new FormatError(`loadProfile: ${path} is not JSON: ${e.message}`);
    throw e;
  }
  if (p?.format !== 'axon-profile/1' || !Array.isArray(p.features))
    throw new FormatError(`loadProfile: ${path} is not an Axon reference profile`);
  return p;
}
