import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';

describe('creation', () => {
  test('from nested arrays: shape, default float32, bool, explicit dtype', () => {
    const t = ax.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(t.toArray(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.equal(ax.tensor([true, false]).dtype, 'bool');
    assert.deepEqual(ax.tensor([true, false]).toArray(), [true, false]);
    assert.equal(ax.tensor([1.7, -2.7], { dtype: 'int32' }).toArray().toString(), '1,-2');
    assert.deepEqual(ax.tensor(5).shape, []);
    assert.equal(ax.tensor(5).item(), 5);
    assert.deepEqual(ax.tensor([]).shape, [0]);
    assert.deepEqual(ax.tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray(), [
      [1, 2],
      [3, 4],
    ]);
  });

  test('from typed arrays: copy by tensor(), zero-copy by fromTypedArray()', () => {
    const src = new Float64Array([1, 2, 3, 4]);
    const copied = ax.tensor(src, { shape: [2, 2] });
    const shared = ax.fromTypedArray(src, [2, 2]);
    src[0] = 9;
    assert.equal(copied.dtype, 'float64');
    assert.equal(copied.toArray()[0][0], 1);
    assert.equal((shared.toArray() as number[][])[0]![0], 9);
  });

  test('zeros, ones, full, eye, arange, linspace and *Like', () => {
    assert.deepEqual(ax.zeros([2, 2]).toArray(), [
      [0, 0],
      [0, 0],
    ]);
    assert.deepEqual(ax.ones(3, { dtype: 'int32' }).toArray(), [1, 1, 1]);
    assert.deepEqual(ax.full([2], 7).toArray(), [7, 7]);
    assert.deepEqual(ax.eye(2, 3).toArray(), [
      [1, 0, 0],
      [0, 1, 0],
    ]);
    assert.deepEqual(ax.arange(5).toArray(), [0, 1, 2, 3, 4]);
    assert.equal(ax.arange(5).dtype, 'int32');
    assert.deepEqual(ax.arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
    assert.equal(ax.arange(1, 2, 0.25).dtype, 'float32');
    assert.deepEqual(ax.arange(5, 0, -2).toArray(), [5, 3, 1]);
    assert.deepEqual(ax.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
    const x = ax.randn([2, 3], { dtype: 'float64' });
    assert.equal(ax.zerosLike(x).dtype, 'float64');
    assert.deepEqual(ax.fullLike(x, 2).shape, [2, 3]);
  });

  test('random draws are reproducible with manualSeed and generators', () => {
    ax.manualSeed(123);
    const a = ax.randn([5]).toArray();
    ax.manualSeed(123);
    assert.deepEqual(ax.randn([5]).toArray(), a);
    const g1 = new ax.Generator(7),
      g2 = new ax.Generator(7);
    assert.deepEqual(ax.rand([4], { generator: g1 }).toArray(), ax.rand([4], { generator: g2 }).toArray());
    const state = g1.getState();
    const next = ax.randint(0, 10, [6], { generator: g1 }).toArray();
    g2.setState(state);
    assert.deepEqual(ax.randint(0, 10, [6], { generator: g2 }).toArray(), next);
  });

  test('random distributions have the right moments and ranges', () => {
    const g = new ax.Generator(1);
    const n = ax.randn([20000], { generator: g, dtype: 'float64' });
    assert.ok(Math.abs(n.mean().item()) < 0.03);
    assert.ok(Math.abs(n.std().item() - 1) < 0.03);
    const u = ax.rand([20000], { generator: g });
    assert.ok(u.min().item() >= 0 && u.max().item() < 1);
    assert.ok(Math.abs(u.mean().item() - 0.5) < 0.01);
    const r = ax.randint(-3, 3, [1000], { generator: g });
    assert.equal(r.min().item(), -3);
    assert.equal(r.max().item(), 2);
    const p = ax.randperm(50, { generator: g }).toArray() as number[];
    assert.deepEqual(
      [...p].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});

describe('views share storage', () => {
  test('reshape, permute, transpose, expand, narrow, slice, squeeze, unsqueeze copy nothing', () => {
    const x = ax.arange(24).reshape(2, 3, 4);
    for (const v of [
      x.view(6, 4),
      x.permute(2, 0, 1),
      x.transpose(0, 2),
      x.narrow(1, 1, 2),
      x.slice(2, 0, null, 2),
      x.unsqueeze(0),
      x.unsqueeze(0).squeeze(0),
      x.select(0, 1),
      x.flatten(),
    ]) {
      assert.equal(v.storage, x.storage);
    }
    const e = ax.tensor([[1], [2]]).expand(2, 3);
    assert.deepEqual(e.strides, [1, 0]);
    assert.deepEqual(e.toArray(), [
      [1, 1, 1],
      [2, 2, 2],
    ]);
  });

  test('writes through a view are seen by the base tensor', () => {
    const x = ax.zeros([3, 4]);
    x.narrow(0, 1, 1).fill_(5);
    x.slice(1, 0, null, 2).add_(1);
    assert.deepEqual(x.toArray(), [
      [1, 0, 1, 0],
      [6, 5, 6, 5],
      [1, 0, 1, 0],
    ]);
  });

  test('contiguous copies only when needed; reshape of a transpose copies', () => {
    const x = ax.arange(6).reshape(2, 3);
    assert.equal(x.contiguous(), x);
    const t = x.t();
    assert.equal(t.isContiguous(), false);
    const c = t.contiguous();
    assert.notEqual(c.storage, x.storage);
    assert.deepEqual(c.toArray(), [
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    assert.deepEqual(t.reshape(6).toArray(), [0, 3, 1, 4, 2, 5]);
    assert.throws(
      () => t.view(6),
      (e: Error) => e instanceof ax.ShapeError && /use reshape/.test(e.message),
    );
  });

  test('view works across non-contiguous layouts where PyTorch allows it', () => {
    const x = ax.arange(24).reshape(2, 3, 4).transpose(0, 1); // [3, 2, 4], last dim contiguous
    const v = x.view(3, (8 / 8) * 2, 4).view(3, 2, 2, 2);
    assert.equal(v.storage, x.storage);
    assert.deepEqual(v.contiguous().flatten().toArray(), x.contiguous().flatten().toArray());
  });

  test('split and chunk give views of the right sizes', () => {
    const x = ax.arange(10);
    assert.deepEqual(
      x.split(4).map((t) => t.toArray()),
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
      ],
    );
    assert.deepEqual(
      x.chunk(3).map((t) => t.shape[0]),
      [4, 4, 2],
    );
    assert.deepEqual(
      x.split([2, 8]).map((t) => t.shape[0]),
      [2, 8],
    );
  });
});

describe('dtype promotion (PyTorch rules)', () => {
  const i = ax.tensor([1, 2], { dtype: 'int32' });
  const f = ax.tensor([1, 2]);
  const d = ax.tensor([1, 2], { dtype: 'float64' });
  const b = ax.tensor([true, false]);
  test('tensor with tensor', () => {
    assert.equal(i.add(f).dtype, 'float32');
    assert.equal(f.add(d).dtype, 'float64');
    assert.equal(b.add(i).dtype, 'int32');
    assert.equal(b.logicalAnd(b).dtype, 'bool');
    assert.equal(i.div(i).dtype, 'float32');
    assert.deepEqual(i.div(ax.tensor([2, 4], { dtype: 'int32' })).toArray(), [0.5, 0.5]);
  });
  test('scalars and 0-d tensors do not widen within their category', () => {
    assert.equal(i.add(2).dtype, 'int32');
    assert.equal(i.add(2.5).dtype, 'float32');
    assert.equal(f.mul(ax.tensor(2, { dtype: 'float64' })).dtype, 'float32');
    assert.equal(i.mul(ax.tensor(2, { dtype: 'float64' })).dtype, 'float64');
    assert.equal(f.gt(1).dtype, 'bool');
  });
  test('integer results wrap like int32, float ops on ints give float', () => {
    assert.equal(i.exp().dtype, 'float32');
    assert.equal(i.sum().dtype, 'int32');
    assert.equal(ax.tensor([7], { dtype: 'int32' }).mul(3).item(), 21);
  });
});

describe('printing and conversion', () => {
  test('toString looks like PyTorch', () => {
    assert.equal(
      ax
        .tensor([
          [1, 2],
          [3, 4],
        ])
        .toString(),
      'tensor([[1., 2.],\n        [3., 4.]])',
    );
    assert.equal(ax.tensor([1.5, -0.25]).toString(), 'tensor([ 1.5000, -0.2500])');
    assert.equal(ax.tensor([1e-6, 1]).toString(), 'tensor([1.0000e-06, 1.0000e+00])');
    assert.equal(ax.arange(3).toString(), 'tensor([0, 1, 2], dtype=int32)');
    assert.equal(ax.tensor([true, false]).toString(), 'tensor([ true, false])');
    assert.equal(ax.tensor([1], { requiresGrad: true }).toString(), 'tensor([1.], requiresGrad=true)');
    assert.match(ax.tensor([1], { requiresGrad: true }).mul(2).toString(), /gradFn=<mul>/);
    assert.equal(ax.tensor([NaN, Infinity, 1.5]).toString(), 'tensor([   nan,    inf, 1.5000])');
    assert.equal(ax.zeros([0, 3]).toString(), 'tensor([], size=[0, 3])');
    const big = ax.arange(2000).toString();
    assert.match(big, /^tensor\(\[ {3}0, {4}1, {4}2, \.\.\., 1997, 1998, 1999\], dtype=int32\)$/);
  });

  test('item, toArray, toTypedArray, size', () => {
    const x = ax.arange(6).reshape(2, 3).t();
    assert.deepEqual(Array.from(x.toTypedArray()), [0, 3, 1, 4, 2, 5]);
    assert.equal(x.size(0), 3);
    assert.equal(x.size(-1), 2);
    assert.deepEqual(x.size(), [3, 2]);
    assert.equal(x.numel, 6);
    assert.equal(x.ndim, 2);
    assert.throws(() => x.item(), ax.ValueError);
  });
});

describe('values a demanding user checks', () => {
  test('softmax and logsumexp are stable for large inputs', () => {
    const x = ax.tensor([1000, 1000]);
    assert.deepEqual(x.softmax(0).toArray(), [0.5, 0.5]);
    assert.ok(Math.abs(x.logsumexp(0).item() - (1000 + Math.log(2))) < 1e-3);
  });
  test('NaN propagates through max and argmax as in PyTorch', () => {
    const x = ax.tensor([1, NaN, 3]);
    assert.ok(Number.isNaN(x.max().item()));
    assert.equal(x.argmax().item(), 1);
    assert.ok(Number.isNaN(x.maximum(ax.tensor([0, 0, 0])).toArray()[1]));
  });
  test('erf is accurate to float64 precision', () => {
    const x = ax.tensor([0.5, 1, 3, -2, 6], { dtype: 'float64' }).erf().toArray() as number[];
    const expected = [0.5204998778130465, 0.8427007929497149, 0.9999779095030014, -0.9953222650189527, 1];
    x.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-15, `${v} vs ${expected[i]}`));
  });
  test('oneHot infers the number of classes', () => {
    assert.deepEqual(ax.oneHot(ax.tensor([2, 0], { dtype: 'int32' })).toArray(), [
      [0, 0, 1],
      [1, 0, 0],
    ]);
  });
});
