import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDigits, trainDigitsMlp } from '../examples/digits-mlp.js';

test('digits data: fixed 80/20 split of 1797 samples, pixels scaled to [0, 1]', () => {
  const d = loadDigits();
  assert.deepEqual(d.xTrain.shape, [1438, 64]);
  assert.deepEqual(d.xTest.shape, [359, 64]);
  assert.equal(d.yTest.dtype, 'int32');
  assert.ok(d.xTrain.max().item() <= 1 && d.xTrain.min().item() >= 0);
  // The split is the same at every call (seeded).
  assert.deepEqual(loadDigits().yTest.toArray(), d.yTest.toArray());
});

test('main job, shortened: the MLP trained with ops only reaches ≥ 0.90 test accuracy', () => {
  const result = trainDigitsMlp({ epochs: 8 });
  assert.ok(result.losses[result.losses.length - 1]! < result.losses[0]!, 'training loss decreases');
  assert.ok(result.testAccuracy >= 0.9, `test accuracy ${result.testAccuracy}`);
});
