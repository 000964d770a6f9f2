import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { clearArrayPool, pooledArrayBytes } from '../src/tensor/array-pool.js';

// backward() gives the memory of the gradients it made and used up to the array pool
// (src/autograd/engine.ts, GradientMemory). These tests check that it does, that the gradients are
// those ax.grad() computes (which recycles nothing), and that no tensor anyone can still reach —
// a leaf's .grad, a retained gradient, a gradient a custom rule kept — loses its memory.

/** Every gradient of `params` by backward(), and by ax.grad() on a fresh graph from `loss`. */
function bothWays(params: ax.Tensor[], loss: () => ax.Tensor): [Float32Array[], Float32Array[]] {
  for (const p of params) p.grad = null;
  const reference = ax.grad(loss(), params).map((g) => g!.toTypedArray() as Float32Array);
  loss().backward();
  return [params.map((p) => p.grad!.toTypedArray() as Float32Array), reference];
}

function assertSame(got: Float32Array[], want: Float32Array[], what: string): void {
  got.forEach((g, k) => assert.deepEqual(g, want[k], `${what}: gradient ${k}`));
}

describe('backward() recycles the gradients it used up, and only those', () => {
  beforeEach(() => clearArrayPool());

  test('a training step of a wide MLP recycles memory and gets the same gradients as ax.grad()', () => {
    ax.manualSeed(1);
    const model = new ax.nn.Sequential(
      new ax.nn.Linear(300, 256),
      new ax.nn.GELU(),
      new ax.nn.Linear(256, 256),
      new ax.nn.Tanh(),
      new ax.nn.Linear(256, 10),
    );
    const x = ax.randn([128, 300]);
    const y = ax.randint(0, 10, [128]);
    const params = model.parameters();
    const loss = () => ax.nn.functional.crossEntropy(model.forward(x), y);
    // A backend that keeps arrays in memory of its own (the threaded wasm build) gets them back
    // instead of the pool: count what it takes.
    const memory = ax.getBackend().hostMemory;
    let givenToBackend = 0;
    const give = memory?.give;
    if (memory && give) memory.give = (a) => (give.call(memory, a) ? (givenToBackend += a.byteLength) > 0 : false);
    let got: Float32Array[], want: Float32Array[];
    try {
      [got, want] = bothWays(params, loss);
    } finally {
      if (memory) delete (memory as { give?: unknown }).give; // the class's own method again
    }
    assertSame(got, want, 'MLP');
    assert.ok(pooledArrayBytes() + givenToBackend > 0, 'backward() gave no memory back');
    // A second step takes from the pool: its gradients are still right.
    const opt = new ax.optim.SGD(params, { lr: 0.1 });
    opt.step();
    const [again, reference] = bothWays(params, loss);
    assertSame(again, reference, 'MLP, second step');
  });

  test('views, identities, sums to several inputs and slices of gradients keep their memory while used', () => {
    ax.manualSeed(2);
    // (every gradient here is at least 64 KiB, the pool's smallest array)
    const a = ax.randn([256, 300]).requiresGrad_();
    const b = ax.randn([300, 256]).requiresGrad_();
    const loss = () => {
      const p = a.matmul(b).div(20); // [256, 256]
      const q = p.add(p.transpose(0, 1)).reshape(128, 512); // one gradient to two inputs, through views
      const r = q.mul(q.slice(1, 0, 256).repeat(1, 2)); // slices: partial gradients
      const s = ax.cat([r, r.exp().slice(0, 0, 64)], 0); // a gradient split between inputs
      const both = q.exp().add(q.sin()); // one gradient tensor pending at two nodes at once
      return s.tanh().sum().add(both.sum()).add(a.sum()); // `a` as a leaf of several paths
    };
    const [got, want] = bothWays([a, b], loss);
    assertSame(got, want, 'views');
  });

  test("a leaf's .grad, a retained gradient and a gradient a custom rule kept stay readable and right", () => {
    ax.manualSeed(3);
    const w = ax.randn([256, 256]).requiresGrad_();
    const x = ax.randn([64, 256]);
    let kept: ax.Tensor | null = null;
    // A custom op (ax.recordOp) whose rule keeps the gradient it was given.
    const keepGrad = (t: ax.Tensor) =>
      ax.recordOp('keepGrad', t.detach().clone(), [t], (g) => {
        kept = g;
        return [g.mul(1)];
      });
    const h = x.matmul(w).relu();
    h.retainGrad();
    const loss = keepGrad(h.mul(2)).square().sum();
    loss.backward();
    const hGrad = h.grad!.toTypedArray().slice();
    const keptValues = kept!.toTypedArray().slice();
    const wGrad = w.grad!.toTypedArray().slice();
    // Another pass that takes memory from the pool must not change any of them.
    for (let i = 0; i < 3; i++) x.matmul(w).tanh().matmul(w).sum().backward();
    assert.deepEqual(h.grad!.toTypedArray(), hGrad);
    assert.deepEqual(kept!.toTypedArray(), keptValues);
    // w.grad accumulated three more passes: it holds its first value plus theirs, not garbage.
    const more = ax.grad(x.matmul(w).tanh().matmul(w).sum(), [w])[0]!.toTypedArray();
    const total = w.grad!.toTypedArray();
    for (let i = 0; i < total.length; i += 101)
      assert.ok(Math.abs(total[i]! - (wGrad[i]! + 3 * more[i]!)) <= 1e-3 * (1 + Math.abs(total[i]!)), `w.grad[${i}]`);
  });

  test('createGraph passes recycle nothing (their gradients are part of a graph)', () => {
    const x = ax.randn([200, 200]).requiresGrad_();
    const y = x.tanh().matmul(x).sum();
    y.backward({ createGraph: true });
    assert.equal(pooledArrayBytes(), 0);
    const g = x.grad!;
    const [second] = ax.grad(g.sum(), [x]);
    assert.equal(second!.shape.join(), '200,200');
  });
});
