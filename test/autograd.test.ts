import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';

const close = (a: unknown, b: unknown, tol = 1e-6) => {
  const fa = [a].flat(Infinity) as number[],
    fb = [b].flat(Infinity) as number[];
  assert.equal(fa.length, fb.length);
  fa.forEach((v, i) => assert.ok(Math.abs(v - fb[i]!) <= tol, `${v} vs ${fb[i]} at ${i}`));
};

describe('backward', () => {
  test('the design example: matmul, tanh, sum', () => {
    const x = ax.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    x.matmul(x).tanh().sum().backward();
    // d/dX sum(tanh(XX)) = G Xᵀ + Xᵀ G with G = 1 - tanh(XX)²
    const xx = [
      [7, 10],
      [15, 22],
    ].map((r) => r.map((v) => 1 - Math.tanh(v) ** 2));
    const X = [
      [1, 2],
      [3, 4],
    ];
    const expected = [0, 1].map((i) =>
      [0, 1].map((j) => [0, 1].reduce((s, k) => s + xx[i]![k]! * X[j]![k]! + X[k]![i]! * xx[k]![j]!, 0)),
    );
    close(x.grad!.toArray(), expected, 1e-12);
  });

  test('gradients accumulate across calls until reset', () => {
    const w = ax.tensor([1, 2, 3], { requiresGrad: true });
    w.mul(2).sum().backward();
    w.mul(3).sum().backward();
    close(w.grad!.toArray(), [5, 5, 5]);
    const held = w.grad!;
    w.sum().backward();
    assert.equal(w.grad, held, 'accumulation is in place, so references to .grad stay valid');
    close(held.toArray(), [6, 6, 6]);
    w.grad = null;
    w.sum().backward();
    close(w.grad!.toArray(), [1, 1, 1]);
  });

  test('a tensor used twice gets the sum of both paths', () => {
    const x = ax.tensor([2], { requiresGrad: true });
    const y = x.mul(x).add(x.mul(3)); // dy/dx = 2x + 3
    y.backward();
    close(x.grad!.toArray(), [7]);
  });

  test('a leaf reached by several paths of adds gets the right sum (no aliasing of taken gradients)', () => {
    const x = ax.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    // y = x + tanh(x) + x·x + x ; dy/dx = 2 + (1 - tanh²x) + 2x
    const y = x.add(x.tanh()).add(x.mul(x)).add(x);
    y.backward(ax.ones([3], { dtype: 'float64' }));
    close(
      x.grad!.toArray(),
      [1, 2, 3].map((v) => 2 + (1 - Math.tanh(v) ** 2) + 2 * v),
      1e-12,
    );
    const g = ax.ones([3], { dtype: 'float64' });
    x.grad = null;
    x.add(0).backward(g);
    ax.noGrad(() => x.grad!.mul_(5));
    close(g.toArray(), [1, 1, 1], 0); // the caller's gradient is never taken over
  });

  test('leaf grads do not alias each other', () => {
    const a = ax.tensor([1, 2], { requiresGrad: true }),
      b = ax.tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    ax.noGrad(() => a.grad!.zero_());
    close(b.grad!.toArray(), [1, 1]);
  });

  test('non-scalar outputs need an explicit gradient', () => {
    const x = ax.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    assert.throws(
      () => y.backward(),
      (e: Error) => e instanceof ax.AutogradError && /one-element output, got shape \[3\]/.test(e.message),
    );
    y.backward(ax.tensor([1, 0.5, 0]));
    close(x.grad!.toArray(), [2, 1, 0]);
    assert.throws(() => x.mul(2).backward(ax.ones([2])), ax.ShapeError);
  });

  test('a second backward through a freed graph fails unless retainGraph', () => {
    const x = ax.tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    close(x.grad!.toArray(), [2 * Math.E, 2 * Math.exp(2)], 1e-5);
    assert.throws(
      () => y.backward(),
      (e: Error) => e instanceof ax.AutogradError && /second time/.test(e.message) && /retainGraph/.test(e.message),
    );
  });

  test('modifying a saved tensor in place is caught', () => {
    const x = ax.tensor([1, 2], { requiresGrad: true });
    const e = x.exp();
    const y = e.sum();
    ax.noGrad(() => e.mul_(2));
    assert.throws(
      () => y.backward(),
      (err: Error) => err instanceof ax.AutogradError && /modified in place/.test(err.message),
    );
  });

  test('in-place ops on tensors that require grad are refused outside noGrad', () => {
    const w = ax.tensor([1, 2], { requiresGrad: true });
    assert.throws(() => w.add_(1), ax.AutogradError);
    ax.noGrad(() => w.add_(1));
    close(w.toArray(), [2, 3]);
  });

  test('noGrad records nothing; detach cuts the graph', () => {
    const x = ax.tensor([1, 2], { requiresGrad: true });
    const y = ax.noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    const d = x.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.storage, x.storage, 'detach shares memory');
    assert.equal(ax.isGradEnabled(), true);
    assert.throws(() => ax.noGrad(() => Promise.resolve(1)), ax.ValueError);
    assert.equal(ax.isGradEnabled(), true, 'grad mode restored after an error');
  });

  test('retainGrad keeps a non-leaf gradient', () => {
    const x = ax.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    h.sum().backward();
    close(h.grad!.toArray(), [1, 1]);
    close(x.grad!.toArray(), [3, 3]);
  });

  test('only floating-point tensors can require grad', () => {
    assert.throws(
      () => ax.arange(3).requiresGrad_(),
      (e: Error) => e instanceof ax.DTypeError && /int32/.test(e.message),
    );
  });

  test('integer and bool inputs get no gradient, float ones do', () => {
    const x = ax.tensor([1.5, 2.5], { requiresGrad: true });
    const i = ax.tensor([1, 2], { dtype: 'int32' });
    const y = x.mul(i).sum();
    y.backward();
    close(x.grad!.toArray(), [1, 2]);
  });
});

describe('higher-order gradients', () => {
  test('d²/dx² x³ = 6x through createGraph', () => {
    const x = ax.tensor([2], { dtype: 'float64', requiresGrad: true });
    const [dx] = ax.grad(x.pow(3).sum(), x, { createGraph: true });
    close(dx!.toArray(), [12]);
    const [d2x] = ax.grad(dx!.sum(), x);
    close(d2x!.toArray(), [12]);
  });

  test('backward with createGraph leaves a differentiable .grad', () => {
    const x = ax.tensor([0.3, -0.7], { dtype: 'float64', requiresGrad: true });
    x.tanh().sum().backward(null, { createGraph: true });
    const g = x.grad!;
    assert.ok(g.requiresGrad);
    const [h] = ax.grad(g.sum(), x); // d/dx (1 - tanh²) = -2 tanh (1 - tanh²)
    close(
      h!.toArray(),
      [0.3, -0.7].map((v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)),
      1e-12,
    );
  });

  test('grad() reports unused inputs', () => {
    const a = ax.tensor([1], { requiresGrad: true }),
      b = ax.tensor([1], { requiresGrad: true });
    assert.throws(() => ax.grad(a.mul(2).sum(), [a, b]), ax.AutogradError);
    const [ga, gb] = ax.grad(a.mul(2).sum(), [a, b], { allowUnused: true });
    close(ga!.toArray(), [2]);
    assert.equal(gb, null);
  });
});

describe('gradcheck', () => {
  test('catches a wrong backward rule', () => {
    const badSquare = (x: ax.Tensor) =>
      ax.recordOp(
        'badSquare',
        ax.noGrad(() => x.mul(x)),
        [x],
        (g) => [g.mul(x)],
      ); // missing factor 2
    assert.throws(
      () => ax.gradcheck(badSquare, [ax.randn([3], { dtype: 'float64' })]),
      (e: Error) => e instanceof ax.AutogradError && /mismatch/.test(e.message),
    );
  });

  test('a custom op with a correct rule passes', () => {
    const square = (x: ax.Tensor) =>
      ax.recordOp(
        'square',
        ax.noGrad(() => x.mul(x)),
        [x],
        (g) => [g.mul(x).mul(2)],
      );
    assert.equal(ax.gradcheck(square, [ax.randn([3], { dtype: 'float64' })]), true);
  });
});

test('gradients of many slices of one tensor accumulate in place and equal the dense result', () => {
  // An RNN-like pattern: every time step reads one slice; plus a dense use of the whole tensor.
  const x = ax.randn([3, 5, 4], { generator: new ax.Generator(0) }).requiresGrad_();
  const p = x.mul(2); // a non-leaf, so the slices' gradients meet in the engine
  let h = ax.zeros([3, 4]);
  for (let t = 0; t < 5; t++) h = h.mul(0.5).add(p.select(1, t).tanh());
  const loss = h
    .sum()
    .add(p.narrow(1, 1, 3).square().sum())
    .add(p.sum().mul(0.1));
  loss.backward();
  // The same function through one dense gradient path (index with gather-free ops: unbind by masks).
  const x2 = x.detach().clone().requiresGrad_();
  const p2 = x2.mul(2);
  let h2 = ax.zeros([3, 4]);
  for (let t = 0; t < 5; t++) {
    const mask = ax.zeros([1, 5, 1]);
    mask.narrow(1, t, 1).fill_(1);
    h2 = h2.mul(0.5).add(p2.mul(mask).sum(1).tanh());
  }
  const mid = ax.zeros([1, 5, 1]);
  mid.narrow(1, 1, 3).fill_(1);
  h2.sum().add(p2.mul(mid).square().sum()).add(p2.sum().mul(0.1)).backward();
  const a = x.grad!.toArray() as number[][][],
    b = x2.grad!.toArray() as number[][][];
  a.flat(2).forEach((v, i) => assert.ok(Math.abs(v - b.flat(2)[i]!) < 1e-5, `element ${i}: ${v} vs ${b.flat(2)[i]}`));
  // A slice's gradient still differentiates twice (createGraph takes the recorded scatter).
  const y = ax.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
  const [gy] = ax.grad(y.narrow(0, 1, 2).pow(3).sum(), y, { createGraph: true });
  gy!.sum().backward();
  assert.deepEqual(y.grad!.toArray(), [0, 12, 18]);
});

test('relu and gelu gradients: the plain pass (product written over the derivative) equals the createGraph one, for a strided upstream gradient', () => {
  ax.manualSeed(5);
  for (const name of ['relu', 'gelu'] as const) {
    const act = (t: ax.Tensor) => (name === 'relu' ? t.relu() : ax.nn.functional.gelu(t));
    const x = ax.randn([6, 4], { requiresGrad: true });
    const w = ax.randn([4, 6]);
    // act(x).t() * w: the gradient reaching the activation is w's transpose, a strided view.
    const loss = () => act(x).t().mul(w).sum();
    const [plain] = ax.grad(loss(), x);
    const [graph] = ax.grad(loss(), x, { createGraph: true });
    assert.ok(!plain!.requiresGrad);
    const a = plain!.toArray() as number[][],
      b = graph!.toArray() as number[][];
    const wt = w.t().toArray() as number[][],
      xs = x.toArray() as number[][];
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 4; j++) {
        assert.ok(Math.abs(a[i]![j]! - b[i]![j]!) < 1e-6, `${name} [${i}, ${j}]`);
        if (name === 'relu') assert.ok(a[i]![j]! === (xs[i]![j]! > 0 ? wt[i]![j]! : 0), `relu [${i}, ${j}]`);
      }
  }
});
