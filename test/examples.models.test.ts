import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import * as ax from '../src/index.js';
import { Autoencoder, CharLSTM, TinyGPT, cnn, discriminator, ffn, generator } from '../examples/models.js';

const F = ax.nn.functional;

test('every README architecture runs forward and backward', () => {
  ax.manualSeed(0);
  const tokens = ax.randint(0, 20, [2, 7]);
  const cases: [ax.nn.Module, ax.Tensor, number[]][] = [
    [ffn(), ax.randn([4, 64]), [4, 10]],
    [cnn(), ax.randn([2, 1, 28, 28]), [2, 10]],
    [new CharLSTM(20), tokens, [2, 7, 20]],
    [new TinyGPT(20), tokens, [2, 7, 20]],
    [new Autoencoder(), ax.randn([5, 30]), [5, 30]],
    [generator(), ax.randn([3, 16]), [3, 1, 8, 8]],
    [discriminator(), ax.rand([3, 1, 8, 8]), [3, 1]],
  ];
  for (const [model, input, shape] of cases) {
    const out = model.forward(input);
    assert.deepEqual(out.shape, shape, model.constructor.name);
    out.square().mean().backward();
    assert.ok(
      model.parameters().every((p) => p.grad !== null),
      `${model.constructor.name}: every parameter gets a gradient`,
    );
  }
});

test('GAN step: the discriminator gets gradients through the generator output, detached when training D', () => {
  const G = generator(),
    D = discriminator();
  const fake = G.forward(ax.randn([4, 16]));
  F.binaryCrossEntropyWithLogits(D.forward(fake.detach()), ax.zeros([4, 1])).backward();
  assert.ok(
    G.parameters().every((p) => p.grad === null),
    'detach keeps G out of the D step',
  );
  F.binaryCrossEntropyWithLogits(D.forward(fake), ax.ones([4, 1])).backward();
  assert.ok(G.parameters().every((p) => p.grad !== null));
});

test('the TinyGPT is causal: changing a later token does not change earlier logits', () => {
  ax.manualSeed(1);
  const m = new TinyGPT(10).eval();
  const a = ax.tensor([[1, 2, 3, 4]], { dtype: 'int32' }),
    b = ax.tensor([[1, 2, 3, 9]], { dtype: 'int32' });
  const la = m.forward(a),
    lb = m.forward(b);
  assert.ok(
    la
      .narrow(1, 0, 3)
      .sub(lb.narrow(1, 0, 3))
      .abs()
      .max()
      .item() < 1e-5,
  );
  assert.ok(
    la
      .narrow(1, 3, 1)
      .sub(lb.narrow(1, 3, 1))
      .abs()
      .max()
      .item() > 1e-4,
  );
});

test('Perceptron learning rule separates iris setosa from the other species', () => {
  const rows: string[][] = parse(readFileSync(new URL('../data/iris.csv', import.meta.url), 'utf8'), { from_line: 2 });
  const x = ax.tensor(rows.map((r) => r.slice(0, 4).map(Number)));
  const y = ax.tensor(
    rows.map((r) => (r[4] === 'setosa' ? 1 : 0)),
    { dtype: 'int32' },
  );
  const p = new ax.nn.Perceptron(4);
  const mistakes = p.fit(x, y, { epochs: 20, lr: 0.1 });
  assert.equal(mistakes[mistakes.length - 1], 0, `converges (mistakes per epoch: ${mistakes})`);
  assert.equal(p.predict(x).eq(y).int().sum().item(), 150);
  assert.throws(() => p.fit(x, y.narrow(0, 0, 10)), ax.ShapeError);
});

test('the README custom loss (focal loss) is differentiable by autograd alone', () => {
  const focal = (logits: ax.Tensor, target: ax.Tensor, gamma = 2) => {
    const logp = logits.logSoftmax(1).gather(1, target.unsqueeze(1)).squeeze(1);
    return logp.exp().rsub(1).pow(gamma).mul(logp).neg().mean();
  };
  const target = ax.tensor([0, 2, 1], { dtype: 'int32' });
  ax.gradcheck((x) => focal(x, target), [ax.randn([3, 4], { dtype: 'float64' })]);
  // gamma = 0 is plain cross-entropy
  const x = ax.randn([3, 4]);
  assert.ok(Math.abs(focal(x, target, 0).item() - F.crossEntropy(x, target).item()) < 1e-6);
});

test('Dropout2d zeroes whole channels in training and is the identity in eval', () => {
  const d = new ax.nn.Dropout2d(0.5);
  const y = d.forward(ax.ones([4, 16, 3, 3]));
  const perChannel = y.sum([2, 3]).toArray() as number[][];
  assert.ok(
    perChannel.flat().every((v) => v === 0 || v === 18),
    'each channel all dropped or all kept (×2)',
  );
  d.eval();
  assert.equal(
    d
      .forward(ax.ones([1, 2, 2, 2]))
      .sum()
      .item(),
    8,
  );
});
