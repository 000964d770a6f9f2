import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { throwsTyped } from './helpers/throws.js';

const { fairness } = ax;
const int = (v: number[]) => ax.tensor(v, { dtype: 'int32' });
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

// Worked by hand. Group a: TP 2, FN 1, TN 1, FP 1 → selection 3/5, TPR 2/3, FPR 1/2.
// Group b: TP 2, FN 1, TN 2, FP 0 → selection 2/5, TPR 2/3, FPR 0. Overall: selection 1/2, TPR 4/6, FPR 1/4.
const yTrue = int([1, 1, 0, 0, 1, 0, 1, 0, 1, 1]);
const yPred = int([1, 0, 0, 1, 1, 0, 1, 0, 0, 1]);
const group = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'];

describe('fairness: Fairlearn definitions on a hand-computed case', () => {
  test('rates', () => {
    close(fairness.selectionRate(yPred, yTrue), 0.5, 'selection');
    close(fairness.truePositiveRate(yPred, yTrue), 4 / 6, 'tpr');
    close(fairness.falsePositiveRate(yPred, yTrue), 1 / 4, 'fpr');
    close(fairness.trueNegativeRate(yPred, yTrue), 3 / 4, 'tnr');
    close(fairness.falseNegativeRate(yPred, yTrue), 2 / 6, 'fnr');
  });

  test('MetricFrame: overall, by group, min, max, difference and ratio both ways', () => {
    const mf = new fairness.MetricFrame({
      metrics: {
        accuracy: ax.train.metrics.accuracy,
        selection: fairness.selectionRate,
        fpr: fairness.falsePositiveRate,
      },
      yTrue,
      yPred,
      sensitive: group,
    });
    assert.deepEqual(mf.groups, ['a', 'b']);
    assert.deepEqual(mf.counts, { a: 5, b: 5 });
    close(mf.overall['accuracy']!, 0.7, 'overall accuracy');
    close(mf.byGroup['a']!['accuracy']!, 0.6, 'a accuracy');
    close(mf.byGroup['b']!['accuracy']!, 0.8, 'b accuracy');
    close(mf.groupMin()['selection']!, 0.4, 'min');
    close(mf.groupMax()['selection']!, 0.6, 'max');
    close(mf.difference()['selection']!, 0.2, 'difference between groups');
    close(mf.difference('toOverall')['selection']!, 0.1, 'difference to overall');
    close(mf.ratio()['selection']!, 2 / 3, 'ratio between groups');
    close(mf.ratio('toOverall')['selection']!, 0.8, 'ratio to overall: min(0.5/0.6, 0.4/0.5)');
    close(mf.ratio()['fpr']!, 0, 'fpr ratio 0 / 0.5');
    const table = mf.toTable();
    assert.match(table, /overall\s+10\s+0\.700\s+0\.500\s+0\.250/);
    assert.match(table, /difference\s+0\.200\s+0\.200\s+0\.500/);
  });

  test('the disparity metrics', () => {
    close(fairness.demographicParityDifference(yTrue, yPred, group), 0.2, 'DP difference');
    close(fairness.demographicParityRatio(yTrue, yPred, group), 2 / 3, 'DP ratio');
    close(fairness.demographicParityDifference(yTrue, yPred, group, { method: 'toOverall' }), 0.1, 'DP to overall');
    close(fairness.equalizedOddsDifference(yTrue, yPred, group), 0.5, 'EO difference = max(TPR gap 0, FPR gap 0.5)');
    close(fairness.equalizedOddsRatio(yTrue, yPred, group), 0, 'EO ratio = min(1, 0)');
    close(fairness.equalOpportunityDifference(yTrue, yPred, group), 0, 'equal opportunity difference');
    close(fairness.equalOpportunityRatio(yTrue, yPred, group), 1, 'equal opportunity ratio');
    // Scores [N, 2] are read through their arg-max, groups from a tensor as well as an array.
    const scores = ax.oneHot(yPred, 2).float();
    close(fairness.demographicParityDifference(yTrue, scores, int([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])), 0.2, 'scores');
  });

  test('intersections of several sensitive features', () => {
    const mf = new fairness.MetricFrame({
      metrics: { selection: fairness.selectionRate },
      yTrue,
      yPred,
      sensitive: { g: group, half: [0, 0, 1, 1, 1, 0, 0, 1, 1, 1] },
    });
    assert.deepEqual(mf.groups, ['g=a,half=0', 'g=a,half=1', 'g=b,half=0', 'g=b,half=1']);
    close(mf.byGroup['g=a,half=0']!['selection']!, 0.5, 'a/0: predictions 1, 0');
    close(mf.byGroup['g=b,half=1']!['selection']!, 1 / 3, 'b/1: predictions 0, 0, 1');
  });

  test('reweighing makes label and group independent: w = P(g) P(y) / P(g, y)', () => {
    const w = fairness.reweighing(int([1, 1, 0, 0, 0, 1]), ['a', 'a', 'a', 'b', 'b', 'b']);
    assert.deepEqual(w.toArray(), [0.75, 0.75, 1.5, 0.75, 0.75, 1.5]);
    // Weighted, each group's positive share equals the overall one (1/2).
    const wa = w.toArray() as number[];
    close((wa[0]! + wa[1]!) / (wa[0]! + wa[1]! + wa[2]!), 0.5, 'group a weighted positive share');
  });

  test('threshold optimizer: groups share a selection rate (or TPR), at the best accuracy on a grid', () => {
    ax.manualSeed(0);
    // Group 1's scores run higher than group 0's for the same labels: one threshold favours it.
    const n = 400;
    const g = Array.from({ length: n }, (_, i) => i % 2);
    const y = Array.from({ length: n }, (_, i) => (i % 5 < 2 ? 1 : 0));
    const noise = ax.randn(n).toArray() as number[];
    const scores = ax.tensor(y.map((v, i) => v * 1.5 + g[i]! * 1.0 + noise[i]!));
    const yT = int(y);
    const plain = scores.gt(1.25).int();
    const before = fairness.demographicParityDifference(yT, plain, g);
    const opt = fairness.thresholdOptimizer({ scores, yTrue: yT, sensitive: g });
    const after = opt.predict(scores, g);
    const dp = fairness.demographicParityDifference(yT, after, g);
    assert.ok(before > 0.2, `the plain threshold is unfair: ${before}`);
    assert.ok(dp <= 2 / 200 + 1e-12, `selection rates within one sample of each other: ${dp}`);
    close(ax.train.metrics.accuracy(after, yT), opt.accuracy, 'reported accuracy');
    assert.ok(opt.thresholds['1']! > opt.thresholds['0']!, JSON.stringify(opt.thresholds));
    const eo = fairness.thresholdOptimizer({ scores, yTrue: yT, sensitive: g, constraint: 'equalOpportunity' });
    const tprGap = fairness.equalOpportunityDifference(yT, eo.predict(scores, g), g);
    assert.ok(tprGap <= 2 / 80 + 1e-12, `TPR within rounding: ${tprGap}`);
    throwsTyped(() => opt.predict(scores.narrow(0, 0, 2), [0, 7]), ax.ValueError, /group '7' was not seen/);
  });

  test('bad inputs get typed errors', () => {
    throwsTyped(
      () => fairness.selectionRate(int([0, 2]), int([0, 1])),
      ax.ValueError,
      /selectionRate/,
      /binary labels/,
    );
    throwsTyped(() => fairness.selectionRate(int([0, 1, 1]), int([0, 1])), ax.ShapeError, /do not pair up/);
    throwsTyped(
      () => fairness.demographicParityDifference(yTrue, yPred, ['a']),
      ax.ShapeError,
      /1 values for 10 samples/,
    );
    throwsTyped(
      () => fairness.demographicParityDifference(yTrue, yPred, group, { method: 'worst' as never }),
      ax.ValueError,
      /betweenGroups/,
    );
    throwsTyped(
      () => new fairness.MetricFrame({ metrics: {}, yTrue, yPred, sensitive: group }),
      ax.ValueError,
      /no metrics/,
    );
    throwsTyped(
      () => new fairness.MetricFrame({ metrics: { m: () => 'x' as never }, yTrue, yPred, sensitive: group }),
      ax.ValueError,
      /metric 'm' returned string/,
    );
    throwsTyped(() => fairness.reweighing(int([1]), { s: [] }), ax.ShapeError, /'s' has 0 values for 1 samples/);
    throwsTyped(
      () => fairness.thresholdOptimizer({ scores: ax.tensor([0.1, NaN]), yTrue: int([0, 1]), sensitive: [0, 0] }),
      ax.ValueError,
      /NaN/,
    );
    throwsTyped(
      () =>
        fairness.thresholdOptimizer({
          scores: ax.tensor([0.1, 0.2]),
          yTrue: int([0, 1]),
          sensitive: [0, 1],
          constraint: 'equalOpportunity',
        }),
      ax.ValueError,
      /group '0' has no positive samples/,
    );
  });
});

describe('fit with sample weights', () => {
  test('a weight of 2 trains exactly like the sample seen twice (one full-batch SGD step)', () => {
    const x = ax.tensor([
      [1, 2],
      [0, -1],
      [3, 1],
    ]);
    const y = int([1, 0, 1]);
    const run = (batch: ax.Tensor[], sampleWeights: boolean) => {
      ax.manualSeed(4);
      const m = new ax.nn.Linear(2, 2);
      const opt = new ax.optim.SGD(m.parameters(), { lr: 0.5 });
      ax.train.fit(m, [batch], {
        epochs: 1,
        optimizer: opt,
        loss: ax.nn.functional.crossEntropy,
        sampleWeights,
        progress: false,
      });
      return m.weight.toArray() as number[][];
    };
    const weighted = run([x, y, ax.tensor([2, 1, 1])], true);
    const twice = run([ax.cat([x, x.narrow(0, 0, 1)]), ax.cat([y, y.narrow(0, 0, 1)])], false);
    weighted.flat().forEach((v, i) => assert.ok(Math.abs(v - twice.flat()[i]!) < 1e-6, `${v} vs ${twice.flat()[i]}`));
  });

  test('bad weights and losses without per-sample values get typed errors', () => {
    const m = new ax.nn.Linear(2, 1);
    const opt = new ax.optim.SGD(m.parameters(), { lr: 0.1 });
    const x = ax.randn(3, 2),
      y = ax.randn(3, 1);
    const fitWith = (batch: ax.Tensor[], loss: ax.train.FitOptions['loss'] = ax.nn.functional.mseLoss) =>
      ax.train.fit(m, [batch], { epochs: 1, optimizer: opt, loss, sampleWeights: true, progress: false });
    throwsTyped(() => fitWith([x, y]), ax.ValueError, /inputs, a target and weights/);
    throwsTyped(() => fitWith([x, y, ax.ones(2)]), ax.ShapeError, /sample weights \[2\] do not match a batch of 3/);
    throwsTyped(() => fitWith([x, y, ax.tensor([1, -1, 1])]), ax.ValueError, /≥ 0 with a positive sum/);
    throwsTyped(
      () => fitWith([x, y, ax.ones(3)], (o, t) => o.sub(t).square().mean()),
      ax.ValueError,
      /one value per sample with \{ reduction: 'none' \}/,
    );
    // mseLoss with reduction 'none' gives [3, 1]: averaged over the trailing axis per sample.
    fitWith([x, y, ax.ones(3)]);
  });
});
