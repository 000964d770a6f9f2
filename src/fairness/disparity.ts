// The fairness criteria as single numbers, with Fairlearn's definitions: each is the difference
// (0 is parity) or ratio (1 is parity) of a rate across the groups of a sensitive feature.
import type { Tensor } from '../tensor/tensor.js';
import type { Sensitive } from './groups.js';
import { type DisparityMethod, MetricFrame } from './metric-frame.js';
import { falsePositiveRate, selectionRate, truePositiveRate } from './rates.js';

export interface DisparityOptions {
  method?: DisparityMethod;
}

const frame = (yTrue: Tensor, yPred: Tensor, sensitive: Sensitive) =>
  new MetricFrame({
    metrics: { selection: selectionRate, tpr: truePositiveRate, fpr: falsePositiveRate },
    yTrue,
    yPred,
    sensitive,
  });

/** Gap in selection rate (share predicted positive) between groups. */
export function demographicParityDifference(
  yTrue: Tensor,
  yPred: Tensor,
  sensitive: Sensitive,
  o: DisparityOptions = {},
): number {
  return frame(yTrue, yPred, sensitive).difference(o.method)['selection']!;
}

export function demographicParityRatio(
  yTrue: Tensor,
  yPred: Tensor,
  sensitive: Sensitive,
  o: DisparityOptions = {},
): number {
  return frame(yTrue, yPred, sensitive).ratio(o.method)['selection']!;
}

/** The larger of the true-positive-rate and false-positive-rate gaps. */
export function equalizedOddsDifference(
  yTrue: Tensor,
  yPred: Tensor,
  sensitive: Sensitive,
  o: DisparityOptions = {},
): number {
  const d = frame(yTrue, yPred, sensitive).difference(o.method);
  return Math.max(d['tpr']!, d['fpr']!);
}

export function equalizedOddsRatio(
  yTrue: Tensor,
  yPred: Tensor,
  sensitive: Sensitive,
  o: DisparityOptions = {},
): number {
  const r = frame(yTrue, yPred, sensitive).ratio(o.method);
  return Math.min(r['tpr']!, r['fpr']!);
}

/** Gap in true positive rate (recall) between groups. */
export function equalOpportunityDifference(
  yTrue: Tensor,
  yPred: Tensor,
  sensitive: Sensitive,
  o: DisparityOptions = {},
): number {
  return frame(yTrue, yPred, sensitive).difference(o.method)['tpr']!;
}

export function equalOpportunityRatio(
  yTrue: Tensor,
  yPred: Tensor,
  sensitive: Sensitive,
  o: DisparityOptions = {},
): number {
  return frame(yTrue, yPred, sensitive).ratio(o.method)['tpr']!;
}
