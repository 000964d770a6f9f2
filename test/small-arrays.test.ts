import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { buffers, unshared } from '../src/serve/wire.js';
import { giveArray } from '../src/tensor/array-pool.js';
import { ownsBuffer, smallArray } from '../src/tensor/small-arrays.js';

// Small op outputs are views into shared slabs (src/tensor/small-arrays.ts): they must start zeroed,
// never overlap, and never be handed on as if they owned their buffer.
const slabs = process.env['AXON_SMALL_ARRAYS'] !== '0';

describe('small arrays from slabs', { skip: !slabs && 'AXON_SMALL_ARRAYS=0 (the AddressSanitizer run)' }, () => {
  test('zeroed, aligned, disjoint views; sizes outside the range are left to the caller', () => {
    const arrays = Array.from({ length: 200 }, (_, i) => smallArray('float32', 2 + (i % 250))!);
    for (const a of arrays) {
      assert.ok(a instanceof Float32Array);
      assert.equal(a.byteOffset % 64, 0);
      assert.ok(a.every((v) => v === 0));
      a.fill(7);
    }
    // Writing every array did not reach into another: each still holds only its own 7s, and
    // arrays sharing a buffer occupy disjoint byte ranges.
    for (let i = 0; i < arrays.length; i++) {
      for (let j = i + 1; j < arrays.length; j++) {
        const a = arrays[i]!,
          b = arrays[j]!;
        if (a.buffer !== b.buffer) continue;
        assert.ok(a.byteOffset + a.byteLength <= b.byteOffset || b.byteOffset + b.byteLength <= a.byteOffset);
      }
    }
    assert.equal(smallArray('float32', 1), undefined, 'one element stays in V8’s heap');
    assert.equal(smallArray('float32', 257), undefined, 'over 1 KB: a buffer of its own');
    assert.ok(smallArray('float64', 128) instanceof Float64Array);
    assert.equal(smallArray('float64', 129), undefined);
    assert.ok(smallArray('int32', 3) instanceof Int32Array);
    assert.ok(smallArray('bool', 1000) instanceof Uint8Array);
  });

  test('op outputs: small ones share a slab, large and single-element ones own their buffer', () => {
    const x = ax.randn([4, 8]);
    const y = x.relu(),
      z = x.mul(2);
    assert.equal(y.data.buffer, z.data.buffer, 'two small outputs in one slab');
    assert.ok(!ownsBuffer(y.data));
    assert.deepEqual(
      Array.from(y.data),
      Array.from(x.data, (v) => Math.max(v, 0)),
    );
    assert.deepEqual(
      Array.from(z.data),
      Array.from(x.data, (v) => v * 2),
    );
    assert.ok(ownsBuffer(ax.randn([64, 64]).relu().data));
    assert.ok(ownsBuffer(x.sum().data));
  });

  test('a slab view is never transferred or pooled as a whole buffer', () => {
    const small = ax.randn([3, 5]).relu();
    const big = ax.randn([300]).relu();
    const wire = {
      a: { dtype: 'float32' as const, shape: [3, 5], data: small.data },
      b: { dtype: 'float32' as const, shape: [300], data: big.data },
    };
    assert.deepEqual(buffers(wire), [big.data.buffer]);
    assert.equal(giveArray('float32', small.data), false);
  });

  test('an array over shared memory (the wasm build’s tensors) is copied before it is posted, not shared', () => {
    const shared = new Float32Array(new SharedArrayBuffer(4 * 300)).fill(2);
    const own = new Float32Array(300).fill(3);
    const wire = {
      s: { dtype: 'float32' as const, shape: [300], data: shared },
      o: { dtype: 'float32' as const, shape: [300], data: own },
    };
    const out = unshared(wire);
    const [s, o] = [out['s']!, out['o']!];
    assert.ok(s.data.buffer instanceof ArrayBuffer);
    assert.notEqual(s.data.buffer, shared.buffer);
    assert.deepEqual(Array.from(s.data), Array.from(shared));
    assert.equal(o.data, own, 'an unshared array is kept as it is');
    assert.deepEqual(buffers(out), [s.data.buffer, own.buffer]);
    const plain = { o: wire.o };
    assert.equal(unshared(plain), plain, 'nothing shared: the same tensors');
  });

  test('kernels writing at a view’s offset: a chain of small products matches the values computed in doubles', () => {
    ax.manualSeed(3);
    const w = ax.randn([6, 5]),
      b = ax.randn([6]),
      x = ax.randn([2, 5]);
    const y = ax.noGrad(() => ax.nn.functional.linear(x, w, b).relu());
    const [X, W, B] = [x.toArray() as number[][], w.toArray() as number[][], b.toArray() as number[]];
    const want = X.map((row) =>
      W.map((wr, o) =>
        Math.max(
          0,
          wr.reduce((s, v, k) => s + v * row[k]!, B[o]!),
        ),
      ),
    );
    const got = y.toArray() as number[][];
    for (let i = 0; i < 2; i++) for (let o = 0; o < 6; o++) assert.ok(Math.abs(got[i]![o]! - want[i]![o]!) < 1e-5);
  });
});
