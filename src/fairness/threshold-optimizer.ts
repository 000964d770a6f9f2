// Post-processing (after Hardt et al. 2016, Fairlearn's ThresholdOptimizer): one decision threshold
// per group on the model's scores, chosen so the groups share a selection rate (demographic parity)
// or a true positive rate (equal opportunity), at the shared rate that gives the best accuracy on
// the data it is fitted on. Unlike Fairlearn's, the thresholds are deterministic (no randomised
// mixing of two thresholds), so the rates match only as closely as the scores' ties allow.
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { fromTypedArray } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { type Sensitive, groupKeys, groupRows } from './groups.js';

export interface ThresholdOptimizerOptions {
  /** Scores of the positive class [N] (probabilities or logits: only their order matters). */
  scores: Tensor;
  /** Binary labels 0/1 [N]. */
  yTrue: Tensor;
  sensitive: Sensitive;
  constraint?: 'demographicParity' | 'equalOpportunity';
  /** Candidate shared rates in [0, 1] (default 201). */
  gridSize?: number;
}

export interface GroupThresholds {
  constraint: 'demographicParity' | 'equalOpportunity';
  /** The shared rate chosen. */
  rate: number;
  /** Per group: predict positive when score > threshold. */
  thresholds: Record<string, number>;
  /** Accuracy on the fitted data. */
  accuracy: number;
  /** Labels 0/1 [N] for scores and their groups. */
  predict(scores: Tensor, sensitive: Sensitive): Tensor;
}

function vector(op: string, name: string, t: unknown, n?: number): number[] {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a Tensor`);
  if (t.numel !== t.shape[0] || (n !== undefined && t.shape[0] !== n))
    throw new ShapeError(`${op}: ${name} must be [${n ?? 'N'}], got ${fmtShape(t.shape)}`);
  return t.toArray() as number[];
}

/** The threshold that puts round(rate · |ref|) of the reference scores (sorted descending) above it. */
function thresholdFor(sortedDesc: number[], rate: number): number {
  const k = Math.round(rate * sortedDesc.length);
  if (k <= 0) return sortedDesc.length ? sortedDesc[0]! : Infinity;
  if (k >= sortedDesc.length) return -Infinity;
  return (sortedDesc[k - 1]! + sortedDesc[k]!) / 2;
}

export function thresholdOptimizer(o: ThresholdOptimizerOptions): GroupThresholds {
  const op = 'fairness.thresholdOptimizer';
  const s = vector(op, 'scores', o?.scores);
  const y = vector(op, 'yTrue', o.yTrue, s.length);
  if (s.length === 0) throw new ValueError(`${op}: no samples`);
  if (s.some((v) => Number.isNaN(v))) throw new ValueError(`${op}: scores hold NaN`);
  if (y.some((v) => v !== 0 && v !== 1)) throw new ValueError(`${op}: yTrue must be binary labels 0 and 1`);
  const constraint = o.constraint ?? 'demographicParity';
  if (constraint !== 'demographicParity' && constraint !== 'equalOpportunity')
    throw new ValueError(`${op}: constraint must be 'demographicParity' or 'equalOpportunity', got '${constraint}'`);
  const gridSize = o.gridSize ?? 201;
  if (!Number.isInteger(gridSize) || gridSize < 2)
    throw new ValueError(`${op}: gridSize must be an integer ≥ 2, got ${gridSize}`);
  const keys = groupKeys(op, o.sensitive, s.length);
  const rows = groupRows(keys);
  // The scores each group's rate is measured on: everyone (selection rate) or its positives (TPR).
  const reference = new Map<string, number[]>();
  for (const [g, idx] of rows) {
    const ref = idx.filter((i) => constraint === 'demographicParity' || y[i] === 1).map((i) => s[i]!);
    if (ref.length === 0)
      throw new ValueError(`${op}: group '${g}' has no positive samples to equalise its true positive rate`);
    reference.set(
      g,
      ref.sort((a, b) => b - a),
    );
  }
  let best: { rate: number; accuracy: number; thresholds: Record<string, number> } | null = null;
  for (let r = 0; r < gridSize; r++) {
    const rate = r / (gridSize - 1);
    const thresholds = Object.fromEntries([...reference].map(([g, ref]) => [g, thresholdFor(ref, rate)]));
    const correct = s.reduce((c, v, i) => c + (Number(v > thresholds[keys[i]!]!) === y[i] ? 1 : 0), 0);
    const accuracy = correct / s.length;
    if (!best || accuracy > best.accuracy) best = { rate, accuracy, thresholds };
  }
  const { rate, accuracy, thresholds } = best!;
  return {
    constraint,
    rate,
    accuracy,
    thresholds,
    predict(scores: Tensor, sensitive: Sensitive): Tensor {
      const v = vector('thresholdOptimizer.predict', 'scores', scores);
      const k = groupKeys('thresholdOptimizer.predict', sensitive, v.length);
      return fromTypedArray(
        Int32Array.from(v, (x, i) => {
          const t = thresholds[k[i]!];
          if (t === undefined)
            throw new ValueError(
              `thresholdOptimizer.predict: group '${k[i]}' was not seen when fitting (${Object.keys(thresholds).join(', ')})`,
            );
          return x > t ? 1 : 0;
        }),
        [v.length],
      );
    },
  };
}
