import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { throwsTyped } from './helpers/throws.js';

describe('sampling ops', () => {
  test('multinomial draws in proportion to the weights, seeded, with and without replacement', () => {
    const w = ax.tensor([1, 0, 3]);
    const draws = ax.multinomial(w, 4000, { replacement: true, generator: new ax.Generator(5) });
    assert.deepEqual(draws.shape, [4000]);
    assert.equal(draws.dtype, 'int32');
    const counts = [0, 0, 0];
    for (const c of draws.toArray() as number[]) counts[c]!++;
    assert.equal(counts[1], 0, 'a zero weight is never drawn');
    assert.ok(Math.abs(counts[2]! / 4000 - 0.75) < 0.03, `category 2 share ${counts[2]! / 4000}`);
    const again = ax.multinomial(w, 4000, { replacement: true, generator: new ax.Generator(5) });
    assert.deepEqual(again.toArray(), draws.toArray(), 'the same seed draws the same');
    // Without replacement every row is a permutation of its positive categories.
    const rows = ax.multinomial(
      ax.tensor([
        [1, 2, 3, 4],
        [5, 0, 1, 1],
      ]),
      3,
      { generator: new ax.Generator(1) },
    );
    assert.deepEqual(rows.shape, [2, 3]);
    for (const r of rows.toArray() as number[][]) assert.equal(new Set(r).size, 3);
    assert.ok(!(rows.toArray() as number[][])[1]!.includes(1));
  });

  test('bernoulli and normal: shapes, seeds and moments', () => {
    const p = ax.full([20000], 0.3);
    const b = ax.bernoulli(p, { generator: new ax.Generator(2) });
    assert.equal(b.dtype, 'float32');
    assert.ok(Math.abs((b.mean().item() as number) - 0.3) < 0.02);
    assert.deepEqual(ax.bernoulli(ax.tensor([0, 1])).toArray(), [0, 1]);
    const n = ax.normal(2, 0.5, [20000], { generator: new ax.Generator(3) });
    assert.ok(Math.abs((n.mean().item() as number) - 2) < 0.02);
    assert.ok(Math.abs((n.std().item() as number) - 0.5) < 0.02);
    const perElement = ax.normal(ax.tensor([0, 100]), ax.tensor([0, 0]));
    assert.deepEqual(perElement.toArray(), [0, 100]);
  });

  test('bad arguments get typed errors naming the op', () => {
    throwsTyped(
      () => ax.multinomial(ax.tensor([1, -1]), 1),
      ax.ValueError,
      /multinomial: weights must be finite and ≥ 0, got -1/,
    );
    throwsTyped(() => ax.multinomial(ax.tensor([0, 0]), 1), ax.ValueError, /no positive weight/);
    throwsTyped(() => ax.multinomial(ax.tensor([1, 0, 1]), 3), ax.ValueError, /without replacement from 2 categories/);
    throwsTyped(() => ax.multinomial(ax.zeros(2, 2, 2), 1), ax.ShapeError, /\[C\] or \[N, C\]/);
    throwsTyped(() => ax.bernoulli(ax.tensor([0.5, 2])), ax.ValueError, /\[0, 1\], got 2/);
    throwsTyped(() => ax.normal(0, -1, [2]), ax.ValueError, /std must be ≥ 0/);
    throwsTyped(() => ax.normal(0, 1), ax.ValueError, /give a shape/);
    throwsTyped(() => ax.topk(ax.randn(3), 4), ax.ValueError, /topk: k must be an integer in \[0, 3\]/);
    throwsTyped(() => ax.kthvalue(ax.randn(3), 0), ax.ValueError, /kthvalue: k must be an integer in \[1, 3\]/);
    throwsTyped(() => ax.sort(ax.tensor([true, false])), ax.ValueError, /sort: bool tensors/);
    throwsTyped(() => ax.sort(ax.randn(2, 2), 2), ax.IndexError, /sort/);
    throwsTyped(() => ax.median(ax.zeros(0)), ax.ShapeError, /median: the input is empty/);
    throwsTyped(() => ax.cumsum(ax.tensor([true]), 0), ax.DTypeError, /cumsum/);
    throwsTyped(() => ax.roll(ax.randn(2, 2), [1, 2], [0]), ax.ValueError, /2 shifts for 1 dims/);
    throwsTyped(() => ax.mm(ax.randn(2, 3), ax.randn(2, 3)), ax.ShapeError, /mm: cannot multiply \[2, 3\] by \[2, 3\]/);
    throwsTyped(() => ax.bmm(ax.randn(2, 3), ax.randn(2, 3)), ax.ShapeError, /bmm: the first batch must have rank 3/);
    throwsTyped(() => ax.diag(ax.randn(2, 2, 2)), ax.ShapeError, /diag: expected a vector or a matrix/);
    throwsTyped(() => ax.isclose(ax.randn(2), ax.randn(2), { rtol: -1 }), ax.ValueError, /rtol and atol/);
    throwsTyped(() => ax.randn(3).mT, ax.IndexError);
    throwsTyped(
      () => ax.fmod(ax.tensor([1], { dtype: 'int32' }), ax.tensor([0], { dtype: 'int32' })),
      ax.ValueError,
      /fmod: integer division by zero/,
    );
    throwsTyped(() => ax.fmod(ax.tensor([true]), ax.tensor([true])), ax.DTypeError, /fmod: bool/);
    // bool operands of atan2 compute in float32, as PyTorch (atan2(True, False) = π/2)
    assert.equal(ax.atan2(ax.tensor([true]), ax.tensor([false])).item(), Math.fround(Math.PI / 2));
    throwsTyped(() => ax.maskedSelect(ax.randn(2), ax.ones(2)), ax.DTypeError, /mask must be a bool tensor/);
    const m = ax.tensor([true, false, true]);
    throwsTyped(
      () => ax.maskedScatter(ax.randn(3), ax.ones(3), ax.randn(3)),
      ax.DTypeError,
      /maskedScatter: mask must be a bool/,
    );
    throwsTyped(
      () => ax.maskedScatter(ax.randn(2, 3), m, ax.randn(3)),
      ax.ShapeError,
      /4 true entries but source \[3\] only 3/,
    );
    throwsTyped(
      () => ax.maskedScatter(ax.randn(3), ax.tensor([[true], [false]]), ax.randn(4)),
      ax.ShapeError,
      /must broadcast to x's shape \[3\]/,
    );
    throwsTyped(() => ax.mode(ax.zeros(2, 0), 1), ax.ShapeError, /mode: dim 1 of \[2, 0\] is empty/);
    throwsTyped(() => ax.mode(ax.tensor([true, false])), ax.ValueError, /mode: bool tensors/);
    throwsTyped(() => ax.bincount(ax.tensor([1, -1], { dtype: 'int32' })), ax.ValueError, /values must be ≥ 0, got -1/);
    throwsTyped(() => ax.bincount(ax.randn(3)), ax.DTypeError, /1-D int32/);
    throwsTyped(() => ax.histc(ax.randn(3), 0), ax.ValueError, /bins/);
    throwsTyped(() => ax.searchsorted(ax.zeros(2, 3), ax.zeros(3, 1)), ax.ShapeError, /leading dims/);
    throwsTyped(() => ax.einsum('ij,jk->ik', ax.randn(2, 3)), ax.ValueError, /names 2 operands, got 1/);
    throwsTyped(() => ax.einsum('ii->i', ax.randn(2, 2)), ax.ValueError, /repeats a letter/);
    throwsTyped(
      () => ax.einsum('ij,jk->ik', ax.randn(2, 3), ax.randn(4, 2)),
      ax.ShapeError,
      /letter 'j' is 3 in one operand and 4/,
    );
    throwsTyped(() => ax.einsum('ij->iz', ax.randn(2, 3)), ax.ValueError, /output letter 'z'/);
    throwsTyped(() => ax.cdist(ax.randn(3), ax.randn(3)), ax.ShapeError, /cdist/);
    throwsTyped(() => ax.nn.functional.glu(ax.randn(3, 3)), ax.ShapeError, /even size/);
  });

  test('allclose and median of everything', () => {
    assert.equal(ax.allclose(ax.tensor([1, 2]), ax.tensor([1, 2.00001])), true);
    assert.equal(ax.allclose(ax.tensor([1, NaN]), ax.tensor([1, NaN])), false);
    assert.equal(ax.allclose(ax.tensor([1, NaN]), ax.tensor([1, NaN]), { equalNan: true }), true);
    assert.equal(ax.median(ax.tensor([4, 1, 3, 2])).item(), 2, 'the lower middle value, as PyTorch');
  });
});

describe('language-model sampling (examples/char-lm.ts) built on topk, sort, cumsum and multinomial', () => {
  test('top-k 1 is greedy; top-p keeps the smallest set reaching p; temperature sharpens', async () => {
    const { sampleNext } = await import('../examples/char-lm.js');
    const logits = ax.tensor([0.6, 0.3, 0.1]).log();
    const draw = (o: Parameters<typeof sampleNext>[1], n = 400) => {
      const g = new ax.Generator(9);
      const counts = [0, 0, 0];
      for (let i = 0; i < n; i++) counts[sampleNext(logits, { ...o, generator: g })]!++;
      return counts;
    };
    assert.deepEqual(draw({ temperature: 1, topK: 1 }), [400, 0, 0]);
    assert.deepEqual(draw({ temperature: 1, topP: 0.5 }), [400, 0, 0]);
    const nucleus = draw({ temperature: 1, topP: 0.8 });
    assert.equal(nucleus[2], 0, 'the tail beyond 0.9 is cut');
    assert.ok(nucleus[1]! > 80, `the second token stays: ${nucleus}`);
    const plain = draw({ temperature: 1 }),
      cold = draw({ temperature: 0.3 });
    assert.ok(plain[2]! > 15 && cold[0]! > plain[0]!, `temperature: ${plain} vs ${cold}`);
  });
});
