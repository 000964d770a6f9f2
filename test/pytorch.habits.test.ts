import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ax from '../src/index.js';

// What a PyTorch user writes first, run without type-checking (issue 12's bugs): each either works
// as in PyTorch or raises a typed error that says what to do.

const { nn } = ax;
const F = nn.functional;

test('sizes as separate arguments: zeros(2, 3), ones, rand, randn (gave shape [2])', () => {
  for (const f of [ax.zeros, ax.ones, ax.rand, ax.randn] as ((...a: unknown[]) => ax.Tensor)[]) {
    assert.deepEqual(f(2, 3).shape, [2, 3]);
    assert.deepEqual(f([2, 3]).shape, [2, 3]);
    assert.deepEqual(f(4).shape, [4]);
  }
  assert.equal(ax.zeros([2], { dtype: 'int32' }).dtype, 'int32');
  assert.throws(
    () => (ax.zeros as (...a: unknown[]) => ax.Tensor)([2, 3], 5),
    (e: Error) => e instanceof ax.ValueError && /options must be an object/.test(e.message),
  );
});

test('backward({ retainGraph: true }) as the README shows (was a TypeError)', () => {
  const x = ax.tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(x).sum();
  y.backward({ retainGraph: true });
  y.backward();
  assert.deepEqual(x.grad!.toArray(), [4, 8, 12]);
  assert.throws(
    () => y.backward({ retainGraf: true } as never),
    (e: Error) => e instanceof ax.ValueError && /unknown option 'retainGraf'/.test(e.message),
  );
});

test('LSTM lengths as a plain array; a single tensor as the state is refused (was ignored)', () => {
  ax.manualSeed(0);
  const lstm = new nn.LSTM(3, 4);
  const x = ax.randn([5, 3, 3]);
  const [a] = lstm.forward(x, undefined, { lengths: [5, 2, 3] });
  const [b] = lstm.forward(x, undefined, { lengths: ax.tensor([5, 2, 3], { dtype: 'int32' }) });
  assert.deepEqual(a.toArray(), b.toArray());
  assert.throws(
    () => lstm.forward(x, ax.zeros([1, 3, 4]) as never),
    (e: Error) => e instanceof ax.ValueError && /pair \[h0, c0\]/.test(e.message),
  );
  assert.throws(() => lstm.forward(x, undefined, { lengths: 'x' as never }), ax.ValueError);
});

test('crossEntropy with float class indices says to make them int32', () => {
  const logits = ax.randn([4, 3]);
  assert.throws(
    () => F.crossEntropy(logits, ax.tensor([0, 1, 2, 1])),
    (e: Error) =>
      e instanceof ax.DTypeError &&
      /class indices, which must be an int32 tensor/.test(e.message) &&
      /to\('int32'\)/.test(e.message),
  );
  assert.ok(Number.isFinite(F.crossEntropy(logits, ax.tensor([0, 1, 2, 1]).to('int32')).item()));
  assert.ok(Number.isFinite(F.crossEntropy(logits, logits.softmax(1)).item()), 'class probabilities still work');
});

test("activation layers of the op table's newer entries equal their functions", () => {
  const x = ax.randn([3, 4], { generator: new ax.Generator(2) }).mul(4);
  const pairs: [ax.nn.Module, ax.Tensor][] = [
    [new nn.Mish(), F.mish(x)],
    [new nn.Hardtanh(), F.hardtanh(x)],
    [new nn.Hardtanh(-0.5, 2), F.hardtanh(x, -0.5, 2)],
    [new nn.ReLU6(), F.relu6(x)],
    [new nn.Hardsigmoid(), F.hardsigmoid(x)],
    [new nn.Hardswish(), F.hardswish(x)],
    [new nn.LogSigmoid(), F.logsigmoid(x)],
    [new nn.Softsign(), F.softsign(x)],
  ];
  for (const [layer, expected] of pairs)
    assert.deepEqual(layer.forward(x).toArray(), expected.toArray(), layer.constructor.name);
  assert.equal(
    F.relu6(ax.tensor([-1, 3, 9]))
      .toArray()
      .join(),
    '0,3,6',
  );
  assert.throws(
    () => new nn.Hardtanh(2, 1),
    (e: Error) => e instanceof ax.ValueError && /maxVal \(1\) must not be below minVal \(2\)/.test(e.message),
  );
  assert.equal(new nn.Hardtanh(-2, 2).toString(), 'Hardtanh(minVal=-2, maxVal=2)');
});

test('tied weights are listed under both names, in PyTorch order, and a PyTorch-style state dict loads', () => {
  // The key list torch 1.13 gives for the same module (scale, embed, norm, head with head.weight = embed.weight).
  const torchKeys = [
    'scale',
    'embed.weight',
    'norm.weight',
    'norm.bias',
    'norm.running_mean',
    'norm.running_var',
    'norm.num_batches_tracked',
    'head.weight',
  ];
  class Tied extends nn.Module {
    scale = new nn.Parameter(ax.ones(1));
    embed = new nn.Embedding(5, 3);
    norm = new nn.BatchNorm1d(3);
    head = new nn.Linear(3, 5, { bias: false });
    constructor() {
      super();
      (this.head as unknown as { weight: ax.nn.Parameter }).weight = this.embed.weight;
    }
    forward(x: ax.Tensor): ax.Tensor {
      return this.head.forward(this.norm.forward(this.embed.forward(x).mul(this.scale)));
    }
  }
  const m = new Tied();
  assert.deepEqual(Object.keys(m.stateDict()), torchKeys);
  assert.equal(m.parameters().length, 4, 'parameters() still lists the shared tensor once');
  const state = Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, v.clone().fill_(0.5)]));
  const other = new Tied();
  other.loadStateDict(state);
  assert.equal(other.head.weight, other.embed.weight, 'still tied after loading');
  assert.ok((other.embed.weight.toArray() as number[][]).flat().every((v) => v === 0.5));
});

test('printing layers shows their options; the summary of a single layer has its row', () => {
  assert.equal(
    new nn.Conv2d(1, 2, 3, { stride: 2, padding: 1, bias: false }).toString(),
    'Conv2d(1, 2, kernelSize=[3,3], stride=2, padding=1, bias=false)',
  );
  assert.equal(new nn.MaxPool2d(2, { stride: 1 }).toString(), 'MaxPool2d(kernelSize=2, stride=1)');
  const s = nn.summary(new nn.Linear(2, 3), ax.zeros(1, 2));
  assert.match(s, /\(model\)\s+Linear\s+\[1, 3\]\s+9/);
});
