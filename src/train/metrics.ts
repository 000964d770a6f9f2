import { ShapeError, ValueError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

// Evaluation metrics as plain numbers. Predictions may be class indices [N] or scores [N, C]
// (the arg-max is taken); targets are class indices [N].

function labels(pred: Tensor): number[] {
  return (pred.ndim === 2 ? pred.argmax(1) : pred).toArray() as number[];
}

function pairs(op: string, pred: Tensor, target: Tensor): [number[], number[]] {
  const p = labels(pred),
    t = target.toArray() as number[];
  if (target.ndim !== 1 || p.length !== t.length)
    throw new ShapeError(
      `${op}: predictions ${fmtShape(pred.shape)} and targets ${fmtShape(target.shape)} do not pair up ([N] or [N, C] with [N])`,
    );
  if (t.length === 0) throw new ValueError(`${op}: no samples`);
  return [p, t];
}

/** Share of samples whose predicted class is the target. */
export function accuracy(pred: Tensor, target: Tensor): number {
  const [p, t] = pairs('accuracy', pred, target);
  return p.filter((v, i) => v === t[i]).length / t.length;
}

/** Share of samples whose target is among the k highest scores. */
export function topKAccuracy(scores: Tensor, target: Tensor, k: number): number {
  if (scores.ndim !== 2 || k < 1 || k > scores.shape[1]!)
    throw new ValueError(
      `topKAccuracy: expected scores [N, C] and 1 ≤ k ≤ C, got ${fmtShape(scores.shape)} and k = ${k}`,
    );
  const s = scores.toArray() as number[][],
    t = target.toArray() as number[];
  let hit = 0;
  s.forEach((row, i) => {
    const mine = row[t[i]!]!;
    if (row.filter((v) => v > mine).length < k) hit++;
  });
  return hit / t.length;
}

/** counts[true][predicted]. */
export function confusionMatrix(pred: Tensor, target: Tensor, numClasses?: number): number[][] {
  const [p, t] = pairs('confusionMatrix', pred, target);
  const C = numClasses ?? Math.max(...p, ...t) + 1;
  const m = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  t.forEach((c, i) => {
    m[c]![p[i]!]!++;
  });
  return m;
}

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}

/** Precision, recall and F1, averaged over classes: macro (equal weight), weighted (by support) or micro (global counts). */
export function precisionRecallF1(
  pred: Tensor,
  target: Tensor,
  options: { average?: 'macro' | 'micro' | 'weighted'; numClasses?: number } = {},
): PRF {
  const m = confusionMatrix(pred, target, options.numClasses);
  const C = m.length;
  const tp = m.map((r, c) => r[c]!),
    predicted = m[0]!.map((_, c) => m.reduce((s, r) => s + r[c]!, 0)),
    support = m.map((r) => r.reduce((a, b) => a + b, 0));
  const div = (a: number, b: number) => (b === 0 ? 0 : a / b); // sklearn's zero_division=0
  const average = options.average ?? 'macro';
  if (average === 'micro') {
    const n = support.reduce((a, b) => a + b, 0),
      correct = tp.reduce((a, b) => a + b, 0);
    const v = div(correct, n);
    return { precision: v, recall: v, f1: v };
  }
  const per = Array.from({ length: C }, (_, c) => {
    const p = div(tp[c]!, predicted[c]!),
      r = div(tp[c]!, support[c]!);
    return { p, r, f: div(2 * p * r, p + r) };
  });
  const total = support.reduce((a, b) => a + b, 0);
  const w = per.map((_, c) => (average === 'weighted' ? support[c]! / total : 1 / C));
  return {
    precision: per.reduce((s, x, c) => s + w[c]! * x.p, 0),
    recall: per.reduce((s, x, c) => s + w[c]! * x.r, 0),
    f1: per.reduce((s, x, c) => s + w[c]! * x.f, 0),
  };
}

/** Area under the ROC curve for binary labels (0/1) and scores: the Mann-Whitney statistic, ties counted half. */
export function rocAuc(scores: Tensor, labels01: Tensor): number {
  const s = scores.toArray() as number[],
    y = labels01.toArray() as number[];
  if (s.length !== y.length) throw new ShapeError(`rocAuc: ${s.length} scores for ${y.length} labels`);
  const order = s.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(s.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const pos = y.filter((v) => v === 1).length,
    neg = y.length - pos;
  if (pos === 0 || neg === 0) throw new ValueError('rocAuc: needs both positive and negative labels');
  const rankSum = y.reduce((acc, v, i) => acc + (v === 1 ? ranks[i]! : 0), 0);
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function residuals(op: string, pred: Tensor, target: Tensor): number[] {
  const p = pred.reshape(-1).toArray() as number[],
    t = target.reshape(-1).toArray() as number[];
  if (p.length !== t.length || p.length === 0)
    throw new ShapeError(
      `${op}: predictions ${fmtShape(pred.shape)} and targets ${fmtShape(target.shape)} must have the same, non-zero size`,
    );
  return p.map((v, i) => v - t[i]!);
}

export const mae = (pred: Tensor, target: Tensor) => {
  const r = residuals('mae', pred, target);
  return r.reduce((s, v) => s + Math.abs(v), 0) / r.length;
};
export const rmse = (pred: Tensor, target: Tensor) => {
  const r = residuals('rmse', pred, target);
  return Math.sqrt(r.reduce((s, v) => s + v * v, 0) / r.length);
};

/** Coefficient of determination: 1 - SS_res / SS_tot. */
export function r2(pred: Tensor, target: Tensor): number {
  const r = residuals('r2', pred, target),
    t = target.reshape(-1).toArray() as number[];
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  const ssTot = t.reduce((s, v) => s + (v - mean) ** 2, 0);
  return 1 - r.reduce((s, v) => s + v * v, 0) / ssTot;
}

/** exp(mean negative log-likelihood in nats); bits per token is meanNll / ln 2. */
export function perplexity(meanNll: number): number {
  return Math.exp(meanNll);
}
