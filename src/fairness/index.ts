/**
 * fairness: is the model as good for every group? Fairlearn's MetricFrame and disparity metrics,
 * with two mitigations: reweighing the training samples (for fit's sampleWeights) and per-group
 * decision thresholds. Functions are guarded (src/guard.ts); MetricFrame runs user metrics and checks its own arguments.
 */
import { guardAll } from '../guard.js';
import * as disparity from './disparity.js';
import * as rates from './rates.js';
import * as reweighingModule from './reweighing.js';
import * as thresholdModule from './threshold-optimizer.js';

export { MetricFrame, type Metric, type MetricFrameOptions, type DisparityMethod } from './metric-frame.js';
export type { DisparityOptions } from './disparity.js';
export type { ThresholdOptimizerOptions, GroupThresholds } from './threshold-optimizer.js';
export const {
  demographicParityDifference,
  demographicParityRatio,
  equalizedOddsDifference,
  equalizedOddsRatio,
  equalOpportunityDifference,
  equalOpportunityRatio,
} = guardAll(disparity, 'fairness.');
export const { selectionRate, truePositiveRate, falsePositiveRate, trueNegativeRate, falseNegativeRate } = guardAll(
  rates,
  'fairness.',
);
export const { reweighing } = guardAll(reweighingModule, 'fairness.');
export const { thresholdOptimizer } = guardAll(thresholdModule, 'fairness.');
export type { Sensitive, SensitiveColumn } from './groups.js';
