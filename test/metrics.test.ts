import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ax from '../src/index.js';

const M = ax.train.metrics;
const i32 = (v: number[]) => ax.tensor(v, { dtype: 'int32' });
const near = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test("classification metrics (values from scikit-learn's documentation examples)", () => {
  const t = i32([0, 1, 2, 0, 1, 2]),
    p = i32([0, 2, 1, 0, 0, 1]);
  const macro = M.precisionRecallF1(p, t);
  near(macro.precision, 0.2222);
  near(macro.recall, 0.3333);
  near(macro.f1, 0.2667);
  near(M.precisionRecallF1(p, t, { average: 'micro' }).f1, 0.3333);
  near(M.precisionRecallF1(p, t, { average: 'weighted' }).f1, 0.2667);
  near(M.accuracy(p, t), 2 / 6);
  assert.deepEqual(M.confusionMatrix(p, t), [
    [2, 0, 0],
    [1, 0, 1],
    [0, 2, 0],
  ]);
  near(
    M.accuracy(
      ax.tensor([
        [0.1, 0.9],
        [0.8, 0.2],
      ]),
      i32([1, 1]),
    ),
    0.5,
  );
  near(
    M.topKAccuracy(
      ax.tensor([
        [0.1, 0.5, 0.4],
        [0.6, 0.3, 0.1],
      ]),
      i32([2, 2]),
      2,
    ),
    0.5,
  );
  assert.throws(() => M.accuracy(i32([1, 2]), i32([1])), ax.ShapeError);
});

test('ROC-AUC, regression errors and perplexity', () => {
  near(M.rocAuc(ax.tensor([0.1, 0.4, 0.35, 0.8]), i32([0, 0, 1, 1])), 0.75);
  near(M.rocAuc(ax.tensor([0.5, 0.5, 0.5]), i32([0, 1, 0])), 0.5);
  assert.throws(() => M.rocAuc(ax.tensor([0.1, 0.2]), i32([1, 1])), ax.ValueError);
  const yt = ax.tensor([3, -0.5, 2, 7]),
    yp = ax.tensor([2.5, 0, 2, 8]);
  near(M.mae(yp, yt), 0.5);
  near(M.rmse(yp, yt), Math.sqrt(0.375));
  near(M.r2(yp, yt), 0.9486);
  near(M.perplexity(Math.log(4)), 4);
});
