// Permutation importance (Breiman 2001; scikit-learn's permutation_importance): how much a metric
// worsens when one feature's column is shuffled, breaking its link to the target.
import { optionsArg } from '../check.js';
import { noGrad } from '../autograd/grad-mode.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { fromTypedArray } from '../tensor/create.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { type Forward, callModel } from './target.js';

export interface PermutationImportanceOptions {
  /** Shuffles per feature (default 5). */
  repeats?: number;
  /** True (default) when a higher metric is better (accuracy, R²); false for errors (MSE, MAE). */
  greaterIsBetter?: boolean;
  /** Names for the report (default 'x0', 'x1', …). */
  featureNames?: readonly string[];
  generator?: Generator;
}

export interface PermutationImportance {
  /** The metric on the unshuffled data. */
  baseline: number;
  features: string[];
  /** Per feature, the drop of the metric for each repeat (positive: the feature matters). */
  importances: number[][];
  mean: number[];
  /** Population standard deviation over repeats, as scikit-learn. */
  std: number[];
}

/**
 * Importance of each column of tabular inputs X [N, F] for `model`, scored by `metric(predictions,
 * targets)` — any function of two tensors, such as train.metrics.accuracy or r2.
 */
export function permutationImportance(
  model: Forward,
  X: Tensor,
  y: Tensor,
  metric: (pred: Tensor, target: Tensor) => number,
  options: PermutationImportanceOptions = {},
): PermutationImportance {
  optionsArg('explain.permutationImportance', options);
  const op = 'explain.permutationImportance';
  if (!(X instanceof Tensor) || X.ndim !== 2 || X.shape[0] === 0)
    throw new ShapeError(
      `${op}: expected tabular inputs [N, F] with N ≥ 1, got ${X instanceof Tensor ? fmtShape(X.shape) : typeof X}`,
    );
  if (!(y instanceof Tensor) || y.shape[0] !== X.shape[0])
    throw new ShapeError(
      `${op}: targets ${y instanceof Tensor ? fmtShape(y.shape) : typeof y} do not match inputs ${fmtShape(X.shape)}`,
    );
  if (typeof metric !== 'function') throw new ValueError(`${op}: metric must be a function (pred, target) → number`);
  const [N, F] = X.shape as [number, number];
  const repeats = options.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new ValueError(`${op}: repeats must be an integer ≥ 1, got ${repeats}`);
  const features = options.featureNames ? [...options.featureNames] : Array.from({ length: F }, (_, j) => `x${j}`);
  if (features.length !== F) throw new ValueError(`${op}: ${features.length} feature names for ${F} columns`);
  const sign = (options.greaterIsBetter ?? true) ? 1 : -1;
  const g = options.generator ?? defaultGenerator;
  const score = (inputs: Tensor) => {
    const v = noGrad(() => metric(callModel(op, model, inputs), y));
    if (typeof v !== 'number' || Number.isNaN(v)) throw new ValueError(`${op}: the metric returned ${v}, not a number`);
    return v;
  };
  const data = X.contiguous().toTypedArray();
  const baseline = score(X);
  const importances = features.map((_, j) =>
    Array.from({ length: repeats }, () => {
      const shuffled = data.slice();
      // Fisher–Yates on column j.
      for (let i = N - 1; i > 0; i--) {
        const k = g.integer(0, i + 1);
        const a = i * F + j,
          b = k * F + j;
        [shuffled[a], shuffled[b]] = [shuffled[b]!, shuffled[a]!];
      }
      return sign * (baseline - score(fromTypedArray(shuffled, [N, F])));
    }),
  );
  const mean = importances.map((r) => r.reduce((a, b) => a + b, 0) / repeats);
  const std = importances.map((r, j) => Math.sqrt(r.reduce((a, v) => a + (v - mean[j]!) ** 2, 0) / repeats));
  return { baseline, features, importances, mean, std };
}
