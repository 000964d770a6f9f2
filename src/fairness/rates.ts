// Rates of binary predictions (positive label 1), as Fairlearn defines them. Predictions may be
// labels [N] or scores [N, C] (the arg-max is taken).
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/** Counts of true/false positives/negatives; labels other than 0 and 1 are refused. */
export function binaryCounts(
  op: string,
  pred: Tensor,
  target: Tensor,
): { tp: number; fp: number; tn: number; fn: number } {
  const p = (pred.ndim === 2 ? pred.argmax(1) : pred).toArray() as number[],
    t = target.flatten().toArray() as number[];
  if (p.length !== t.length)
    throw new ShapeError(
      `${op}: predictions ${fmtShape(pred.shape)} and targets ${fmtShape(target.shape)} do not pair up`,
    );
  const bad = [...p, ...t].find((v) => v !== 0 && v !== 1 && v !== (true as unknown) && v !== (false as unknown));
  if (bad !== undefined) throw new ValueError(`${op}: expected binary labels 0 and 1, got ${bad}`);
  let tp = 0,
    fp = 0,
    tn = 0,
    fn = 0;
  p.forEach((v, i) => {
    const positive = Number(v) === 1,
      actual = Number(t[i]) === 1;
    if (positive && actual) tp++;
    else if (positive) fp++;
    else if (actual) fn++;
    else tn++;
  });
  return { tp, fp, tn, fn };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b); // Fairlearn's zero_division

/** Share of samples predicted positive. */
export function selectionRate(pred: Tensor, target: Tensor): number {
  const { tp, fp, tn, fn } = binaryCounts('selectionRate', pred, target);
  return ratio(tp + fp, tp + fp + tn + fn);
}

/** Recall: TP / (TP + FN). */
export function truePositiveRate(pred: Tensor, target: Tensor): number {
  const { tp, fn } = binaryCounts('truePositiveRate', pred, target);
  return ratio(tp, tp + fn);
}

/** FP / (FP + TN). */
export function falsePositiveRate(pred: Tensor, target: Tensor): number {
  const { fp, tn } = binaryCounts('falsePositiveRate', pred, target);
  return ratio(fp, fp + tn);
}

/** TN / (TN + FP). */
export function trueNegativeRate(pred: Tensor, target: Tensor): number {
  const { fp, tn } = binaryCounts('trueNegativeRate', pred, target);
  return ratio(tn, tn + fp);
}

/** FN / (FN + TP). */
export function falseNegativeRate(pred: Tensor, target: Tensor): number {
  const { tp, fn } = binaryCounts('falseNegativeRate', pred, target);
  return ratio(fn, fn + tp);
}
