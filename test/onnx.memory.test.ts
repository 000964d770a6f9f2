import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { getBackend } from '../src/backend/index.js';
import { clearArrayPool, giveArray, pooledArrayBytes, takeArray } from '../src/tensor/array-pool.js';
import { viewsAllowed } from '../src/tensor/small-arrays.js';

// ONNX inference without autograd hands each intermediate's array back to the array pool after the
// node that reads it last, and later allocations reuse it (src/onnx/release.ts, src/tensor/array-pool.ts).
// A freed array that something still used would corrupt results silently, so these tests hold
// earlier results, views of intermediates and fed inputs across further runs and compare values.

const { nn } = ax;
const NO_VIEWS = 'AXON_SMALL_ARRAYS=0: every array has a buffer of its own size, so the pool lends none';

describe('array pool', () => {
  test('an array given back is taken again for the same dtype and length, zeroed', () => {
    clearArrayPool();
    const a = new Float32Array(50_000).fill(3);
    assert.equal(giveArray('float32', a), true);
    assert.equal(pooledArrayBytes(), 200_000);
    assert.equal(takeArray('float32', 50_001), undefined, 'a longer array does not fit');
    const b = takeArray('float32', 50_000)!;
    assert.equal(b, a);
    assert.ok(b.every((v) => v === 0));
    assert.equal(pooledArrayBytes(), 0);
    assert.equal(takeArray('float32', 50_000), undefined, 'taken once');
  });
  test('a shorter request or another dtype takes the best-fitting buffer as a view of its length', (ctx) => {
    if (!viewsAllowed()) return ctx.skip(NO_VIEWS);
    clearArrayPool();
    const big = new Float32Array(60_000).fill(1);
    const fit = new Float32Array(45_000).fill(2);
    giveArray('float32', big);
    giveArray('float32', fit);
    assert.equal(takeArray('float32', 20_000), undefined, 'no buffer within twice its size');
    const t = takeArray('int32', 40_000)!;
    assert.ok(t instanceof Int32Array);
    assert.equal(t.length, 40_000);
    assert.equal(t.buffer, fit.buffer, 'the smallest buffer that holds it');
    assert.ok(t.every((v) => v === 0));
    assert.equal(pooledArrayBytes(), 240_000);
    // The view comes back though it is not its whole buffer, and serves a request of the buffer's full size.
    assert.equal(giveArray('int32', t), true);
    assert.equal(pooledArrayBytes(), 420_000);
    const whole = takeArray('float32', 45_000)!;
    assert.equal(whole.buffer, fit.buffer);
    assert.equal(whole.length, 45_000);
    assert.ok(
      whole.every((v) => v === 0),
      'zeroed past the shorter view too',
    );
  });
  test('max pooling without a graph gives its indices back at once', (t) => {
    if (!getBackend().maxPool2d) return t.skip('this backend pools by unfolding windows (no indices)');
    clearArrayPool();
    const x = ax.randn([4, 8, 32, 32]);
    const y = ax.noGrad(() => nn.functional.maxPool2d(x, 2));
    assert.equal(pooledArrayBytes(), 4 * 8 * 16 * 16 * 4, 'the int32 indices');
    assert.ok(y.allclose(nn.functional.maxPool2d(x, 2)));
    clearArrayPool();
    const w = ax.randn([4, 8, 32, 32], { requiresGrad: true });
    const z = nn.functional.maxPool2d(w, 2);
    assert.equal(pooledArrayBytes(), 0, 'the backward needs them');
    z.sum().backward();
    assert.equal(w.grad!.sum().item(), 4 * 8 * 16 * 16);
  });
  test('dynamic batches of changing sizes run on pooled memory', (t) => {
    if (!viewsAllowed()) return t.skip(NO_VIEWS);
    clearArrayPool();
    const m = new nn.Sequential(new nn.Linear(64, 256), new nn.ReLU(), new nn.Linear(256, 10)).eval();
    const run = (n: number) =>
      ax.noGrad(() =>
        ax.tidy(() =>
          m
            .forward(ax.ones([n, 64]))
            .sum()
            .item(),
        ),
      );
    for (const n of [40, 30, 46]) run(n);
    const pooled = pooledArrayBytes();
    // Every later batch, smaller or as large, finds its arrays in the pool: it neither grows nor misses.
    for (const n of [31, 45, 38, 30, 46, 33]) {
      assert.equal(run(n), run(n));
      assert.equal(pooledArrayBytes(), pooled, `batch of ${n}`);
    }
  });
  test('small arrays and views into larger buffers are not kept', () => {
    clearArrayPool();
    assert.equal(giveArray('float32', new Float32Array(100)), false);
    assert.equal(giveArray('float32', new Float32Array(100_000).subarray(10)), false);
    assert.equal(pooledArrayBytes(), 0);
  });
  test('new tensors take pooled arrays', () => {
    clearArrayPool();
    const a = new Float32Array(40_000).fill(7);
    giveArray('float32', a);
    const t = ax.zeros([200, 200]);
    assert.equal(t.data, a);
    assert.equal(t.sum().item(), 0);
  });
});

class Net extends nn.Module {
  conv = new nn.Conv2d(2, 8, 3, { padding: 1 });
  bn = new nn.BatchNorm2d(8);
  fc = new nn.Linear(8 * 32 * 32, 5); // its weight (160 KB) is big enough to be pooled
  forward(x: ax.Tensor): ax.Tensor[] {
    const features = this.bn.forward(this.conv.forward(x)).relu();
    const flat = features.flatten(1); // a view of an intermediate, returned as an output
    return [this.fc.forward(flat), flat];
  }
}

describe('ONNX runs free their intermediates', () => {
  ax.manualSeed(5);
  const net = new Net().eval();
  const bytes = ax.onnx.export(net, ax.randn([2, 2, 32, 32]), undefined, {
    inputNames: ['x'],
    outputNames: ['logits', 'flat'],
    dynamicAxes: { x: { 0: 'n' } },
  });
  const model = ax.onnx.load(bytes).eval();

  test('results stay right over repeated runs, earlier results and outputs that are views untouched', () => {
    clearArrayPool();
    const inputs = [0, 1, 2].map(() => ax.randn([8, 2, 32, 32]));
    const expected = ax.noGrad(() => inputs.map((x) => net.forward(x).map((t) => t.clone())));
    const kept: ax.Tensor[][] = [];
    let handedBack = false;
    for (let round = 0; round < 3; round++)
      inputs.forEach((x, i) => {
        const inputCopy = x.clone();
        const outs = ax.noGrad(() => model.forward(x)) as ax.Tensor[];
        // (read at once: the checks below allocate, and may take what the run gave back)
        handedBack ||= pooledArrayBytes() > 0;
        assert.ok(x.allclose(inputCopy, { rtol: 0, atol: 0 }), 'the fed input is not reused');
        kept.push(outs);
        outs.forEach((o, k) =>
          assert.ok(o.allclose(expected[i]![k]!, { atol: 1e-5 }), `round ${round} input ${i} output ${k}`),
        );
      });
    assert.ok(handedBack, 'intermediates were handed back');
    // nothing the run does not own is in the pool: fed inputs, parameters, outputs (and their views)
    const owned = [...inputs, ...model.parameters(), ...kept.flat()];
    for (const t of owned) {
      const taken: ArrayBufferLike[] = [];
      for (let a = takeArray('float32', t.storage.data.length); a; a = takeArray('float32', t.storage.data.length))
        taken.push(a.buffer);
      assert.ok(!taken.includes(t.storage.data.buffer), `a tensor of shape [${t.shape}] was handed back`);
    }
    // every result kept from earlier runs still holds its values
    kept.forEach((outs, j) =>
      outs.forEach((o, k) => assert.ok(o.allclose(expected[j % 3]![k]!, { atol: 1e-5 }), `kept run ${j} output ${k}`)),
    );
  });

  test('with autograd on, nothing is handed back (a graph may hold the intermediates)', () => {
    clearArrayPool();
    const x = ax.randn([8, 2, 32, 32]);
    const [logits] = model.forward(x) as ax.Tensor[];
    assert.equal(pooledArrayBytes(), 0);
    logits!.sum().backward();
    assert.ok(model.parameters().some((p) => p.grad !== null));
  });
});
