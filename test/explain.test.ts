import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { type EncodedTensor, assertClose, decode, loadFixture } from './helpers/fixtures.js';
import { throwsTyped } from './helpers/throws.js';

const { nn, explain } = ax;

interface Case {
  kind: string;
  model: 'cnn' | 'mlp';
  target: number[] | null;
  expected: EncodedTensor;
  [k: string]: any;
}
const fixture = loadFixture<{
  generator: string;
  models: Record<string, Record<string, EncodedTensor>>;
  inputs: Record<string, EncodedTensor>;
  cases: Case[];
  legendre: { n: number; nodes: number[]; weights: number[] }[];
  interpolate: {
    options: ax.nn.functional.InterpolateOptions;
    input: EncodedTensor;
    output: EncodedTensor;
    gradOutput: EncodedTensor;
    gradInput: EncodedTensor;
  }[];
}>('explain.json');

/** The fixture's models, built as PyTorch built them and loaded with its weights. */
function models(): Record<string, ax.nn.Sequential> {
  const cnn = new nn.Sequential(
    new nn.Conv2d(1, 3, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(3, 4, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear(64, 3),
  );
  const mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 1));
  const built = { cnn, mlp };
  for (const [name, m] of Object.entries(built)) {
    m.loadStateDict(Object.fromEntries(Object.entries(fixture.models[name]!).map(([k, v]) => [k, decode(v)])));
    m.eval();
  }
  return built;
}

describe(`explain against PyTorch autograd (${fixture.generator})`, () => {
  const m = models();
  for (const [i, c] of fixture.cases.entries()) {
    const label = `${c.kind} ${c.model} #${i} ${JSON.stringify({ ...c, expected: undefined, delta: undefined })}`;
    test(label, () => {
      const model = m[c.model]!,
        x = decode(fixture.inputs[c.model]!);
      const target = c.target ?? undefined;
      const expected = decode(c.expected);
      switch (c.kind) {
        case 'saliency':
          return assertClose(explain.saliency(model, x, { target, abs: c.abs }), expected, label, 1e-6, 1e-4);
        case 'inputXGradient':
          return assertClose(explain.inputXGradient(model, x, { target }), expected, label, 1e-6, 1e-4);
        case 'integratedGradients': {
          const r = explain.integratedGradients(model, x, {
            target,
            method: c.method,
            steps: c.steps,
            baseline: c.baseline ?? 0,
          });
          assertClose(r.attributions, expected, label, 1e-5, 1e-3);
          return assertClose(r.delta, decode(c.delta), `${label} delta`, 1e-5, 1e-2);
        }
        case 'gradCam': {
          const layer = model.at(Number(c.layer));
          const cam = explain.gradCam(model, layer, x, { target, relu: c.relu, upsample: c.upsample ?? undefined });
          return assertClose(cam, expected, label, 1e-6, 1e-4);
        }
        case 'occlusion': {
          const got = explain.occlusion(model, x, { target, window: c.window, stride: c.stride, baseline: c.baseline });
          return assertClose(got, expected, label, 1e-5, 1e-4);
        }
        default:
          throw new Error(`unknown case ${c.kind}`);
      }
    });
  }

  test('Gauss–Legendre nodes and weights match numpy.polynomial.legendre.leggauss', () => {
    for (const { n, nodes, weights } of fixture.legendre) {
      const got = explain.gaussLegendre(n);
      got.nodes.forEach((v, i) => assert.ok(Math.abs(v - nodes[i]!) < 1e-12, `n=${n} node ${i}: ${v} vs ${nodes[i]}`));
      got.weights.forEach((v, i) =>
        assert.ok(Math.abs(v - weights[i]!) < 1e-12, `n=${n} weight ${i}: ${v} vs ${weights[i]}`),
      );
    }
  });

  for (const [i, c] of fixture.interpolate.entries()) {
    test(`F.interpolate #${i} ${JSON.stringify(c.options)} and its gradient`, () => {
      const x = decode(c.input).requiresGrad_();
      const y = nn.functional.interpolate(x, c.options);
      assertClose(y, decode(c.output), 'output', 1e-6, 1e-5);
      y.mul(decode(c.gradOutput)).sum().backward();
      assertClose(x.grad!, decode(c.gradInput), 'gradient', 1e-5, 1e-4);
    });
  }
});

describe('explain: properties', () => {
  const { cnn, mlp } = models();
  const x = decode(fixture.inputs['cnn']!);

  test('integrated gradients are complete: |Σ attr − (f(x) − f(0))| < 1 % of |f(x) − f(0)| with enough steps', () => {
    // A smooth net converges with the default 50 steps…
    const xt = decode(fixture.inputs['mlp']!);
    const smooth = explain.integratedGradients(mlp!, xt);
    const gapT = mlp!.forward(xt).sub(mlp!.forward(xt.zerosLike())).flatten().toArray() as number[];
    (smooth.delta.toArray() as number[]).forEach((d, i) =>
      assert.ok(Math.abs(d) < 0.01 * Math.abs(gapT[i]!), `mlp ${i}: ${d} vs ${gapT[i]}`),
    );
    // …a ReLU/max-pool net is piecewise linear along the path and needs more (400 here).
    const { attributions, delta } = explain.integratedGradients(cnn!, x, { target: [0, 2], steps: 400 });
    const fx = cnn!.forward(x),
      f0 = cnn!.forward(x.zerosLike());
    const gap = [
      fx.select(0, 0).select(0, 0).item() - f0.select(0, 0).select(0, 0).item(),
      fx.select(0, 1).select(0, 2).item() - f0.select(0, 1).select(0, 2).item(),
    ];
    const sums = attributions.reshape(2, -1).sum(1).toArray() as number[];
    (delta.toArray() as number[]).forEach((d, i) => {
      assert.ok(Math.abs(d - (sums[i]! - gap[i]!)) < 1e-4, 'delta is Σ attr − (f(x) − f(baseline))');
      assert.ok(Math.abs(d) < 0.01 * Math.abs(gap[i]!), `sample ${i}: delta ${d} vs gap ${gap[i]}`);
    });
  });

  test('internalBatchSize splits the path without changing the result', () => {
    const all = explain.integratedGradients(cnn!, x, { target: 1, steps: 7 });
    for (const chunk of [1, 3, 5]) {
      const split = explain.integratedGradients(cnn!, x, { target: 1, steps: 7, internalBatchSize: chunk });
      assertClose(split.attributions, all.attributions, `chunk ${chunk}`, 1e-6, 1e-5);
    }
  });

  test('a function model works like the module, and one target number applies to every sample', () => {
    const viaFn = explain.saliency((t) => cnn!.forward(t), x, { target: 1 });
    assertClose(viaFn, explain.saliency(cnn!, x, { target: [1, 1] }), 'function vs module');
  });

  test('smoothGrad: stdev 0 gives the base method; noise drawn from the generator is averaged', () => {
    assertClose(
      explain.smoothGrad(cnn!, x, { target: [0, 2], stdev: 0, samples: 3 }),
      explain.saliency(cnn!, x, { target: [0, 2] }),
      'stdev 0',
      1e-6,
      1e-5,
    );
    const samples = 4,
      stdev = 0.2;
    const got = explain.smoothGrad(cnn!, x, {
      target: [0, 2],
      samples,
      stdev,
      method: 'inputXGradient',
      generator: new ax.Generator(7),
    });
    // The same noise, by hand: one batch of samples × N draws from the same seed.
    const g = new ax.Generator(7);
    const noise = ax.randn([samples * 2, 1, 8, 8], { generator: g }).mul(stdev);
    const noisy = x.repeat(samples, 1, 1, 1).add(noise);
    const each = explain.inputXGradient(cnn!, noisy, { target: [0, 2, 0, 2, 0, 2, 0, 2] });
    assertClose(got, each.reshape(samples, 2, 1, 8, 8).mean(0), 'smoothgrad by hand', 1e-6, 1e-5);
    const sq = explain.smoothGrad(cnn!, x, {
      target: [0, 2],
      samples,
      stdev,
      method: 'inputXGradient',
      type: 'smoothgradSq',
      generator: new ax.Generator(7),
    });
    assertClose(sq, each.square().reshape(samples, 2, 1, 8, 8).mean(0), 'smoothgradSq by hand', 1e-6, 1e-5);
    const vg = explain.smoothGrad(cnn!, x, {
      target: [0, 2],
      samples,
      stdev,
      method: 'inputXGradient',
      type: 'vargrad',
      generator: new ax.Generator(7),
    });
    assert.ok((vg.min().item() as number) >= -1e-7, 'variance is not negative');
  });

  test('permutation importance: a feature the model ignores scores 0, the one it uses scores the loss of accuracy', () => {
    // The "model" predicts class 1 exactly when column 0 is positive; column 1 is noise it never reads.
    const X = ax.tensor([
      [1, 5],
      [-1, 3],
      [2, -1],
      [-3, 0],
      [4, 2],
      [-2, 1],
    ]);
    const y = ax.tensor([1, 0, 1, 0, 1, 0]);
    const model = (t: ax.Tensor) => ax.stack([t.select(1, 0).lt(0).float(), t.select(1, 0).gt(0).float()], 1);
    const r = explain.permutationImportance(model, X, y, ax.train.metrics.accuracy, {
      repeats: 20,
      generator: new ax.Generator(1),
      featureNames: ['signal', 'noise'],
    });
    assert.equal(r.baseline, 1);
    assert.deepEqual(r.features, ['signal', 'noise']);
    assert.deepEqual(r.importances[1], new Array(20).fill(0));
    assert.equal(r.mean[1], 0);
    assert.equal(r.std[1], 0);
    assert.ok(r.mean[0]! > 0.2, `signal importance ${r.mean[0]}`);
    r.importances[0]!.forEach((v) => assert.ok(v >= 0 && v <= 1));
    // The mean and population std of the repeats, as scikit-learn reports them.
    const mean = r.importances[0]!.reduce((a, b) => a + b, 0) / 20;
    assert.ok(Math.abs(r.mean[0]! - mean) < 1e-12);
    const std = Math.sqrt(r.importances[0]!.reduce((a, v) => a + (v - mean) ** 2, 0) / 20);
    assert.ok(Math.abs(r.std[0]! - std) < 1e-12);
    // For an error metric, a worse score is a positive importance too.
    const mse = (p: ax.Tensor, t: ax.Tensor) => p.select(1, 1).sub(t.float()).square().mean().item() as number;
    const e = explain.permutationImportance(model, X, y, mse, {
      greaterIsBetter: false,
      generator: new ax.Generator(1),
    });
    assert.ok(e.mean[0]! > 0 && e.mean[1] === 0);
  });

  test('attention weights per head, also from Transformer layers that do not return them', () => {
    ax.manualSeed(3);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
    layer.eval();
    const src = ax.randn(3, 5, 8);
    const { output, attention } = explain.attentionWeights(layer, () => layer.forward(src));
    assert.deepEqual(output.shape, [3, 5, 8]);
    assert.equal(attention.length, 1);
    assert.equal(attention[0]!.name, 'self_attn');
    assert.deepEqual(attention[0]!.weights.shape, [3, 2, 5, 5]);
    // Each row is a distribution, and the average over heads is what MultiheadAttention returns.
    assertClose(attention[0]!.weights.sum(-1), ax.ones(3, 2, 5), 'rows sum to 1', 1e-5);
    const [, avg] = layer.self_attn.forward(src, src, src);
    assertClose(attention[0]!.weights.mean(1), avg!, 'head average', 1e-6);
    // Outside attentionWeights nothing is recorded.
    assert.equal(explain.attentionWeights(layer, () => 1).attention.length, 0);
  });

  test('bad inputs get typed errors naming the method', () => {
    throwsTyped(() => explain.saliency(cnn!, x), ax.ValueError, /explain\.saliency/, /target/);
    throwsTyped(() => explain.saliency(cnn!, x, { target: 3 }), ax.ValueError, /target 3 is out of range for 3/);
    throwsTyped(() => explain.saliency(cnn!, x, { target: [0] }), ax.ShapeError, /1 targets for a batch of 2/);
    throwsTyped(() => explain.saliency(cnn!, x, { target: -1 }), ax.ValueError, /class indices/);
    throwsTyped(() => explain.saliency(cnn!, x.int(), { target: 0 }), ax.ValueError, /floating point/);
    throwsTyped(() => explain.saliency(cnn!, ax.zeros(0, 1, 8, 8), { target: 0 }), ax.ShapeError, /N ≥ 1/);
    throwsTyped(() => explain.saliency(() => ax.zeros(5), x), ax.ShapeError, /returned \[5\] for a batch of 2/);
    throwsTyped(() => explain.integratedGradients(mlp!, ax.randn(3, 4), { steps: 0 }), ax.ValueError, /steps/);
    throwsTyped(
      () => explain.integratedGradients(mlp!, ax.randn(3, 4), { baseline: ax.zeros(2, 4) }),
      ax.ShapeError,
      /baseline \[2, 4\] does not fit inputs \[3, 4\]/,
    );
    throwsTyped(
      () => explain.integratedGradients(mlp!, ax.randn(3, 4), { method: 'simpson' as never }),
      ax.ValueError,
      /unknown method/,
    );
    throwsTyped(() => explain.occlusion(cnn!, x, { target: 0, window: [3, 3] }), ax.ShapeError, /window \[3,3\]/);
    throwsTyped(
      () => explain.occlusion(cnn!, x, { target: 0, window: [1, 9, 3] }),
      ax.ShapeError,
      /between 1 and the axis length/,
    );
    throwsTyped(() => explain.occlusion(cnn!, x, { target: 0, window: [1, 2, 2], stride: 0 }), ax.ValueError, /stride/);
    throwsTyped(() => explain.gradCam(cnn!, new nn.Linear(2, 2), x, { target: 0 }), ax.ValueError, /ran 0 times/);
    throwsTyped(() => explain.gradCam(cnn!, cnn!.at(6), x, { target: 0 }), ax.ShapeError, /not a batch of maps/);
    throwsTyped(() => explain.smoothGrad(cnn!, x, { target: 0, samples: 0 }), ax.ValueError, /samples/);
    throwsTyped(() => explain.smoothGrad(cnn!, x, { target: 0, stdev: -1 }), ax.ValueError, /stdev/);
    throwsTyped(
      () => explain.permutationImportance(mlp!, ax.randn(4), ax.zeros(4), () => 0),
      ax.ShapeError,
      /tabular inputs \[N, F\]/,
    );
    throwsTyped(
      () => explain.permutationImportance(mlp!, ax.randn(4, 4), ax.zeros(3), () => 0),
      ax.ShapeError,
      /do not match/,
    );
    throwsTyped(
      () => explain.permutationImportance(mlp!, ax.randn(4, 4), ax.zeros(4), () => NaN),
      ax.ValueError,
      /metric returned NaN/,
    );
    throwsTyped(
      () => nn.functional.interpolate(ax.zeros(1, 1, 4), { size: 3, mode: 'bilinear' }),
      ax.ShapeError,
      /rank-4/,
    );
    throwsTyped(
      () => nn.functional.interpolate(ax.zeros(1, 1, 4), { size: 3, scaleFactor: 2 }),
      ax.ValueError,
      /exactly one/,
    );
    throwsTyped(() => nn.functional.interpolate(ax.zeros(1, 1, 4), { scaleFactor: 0.1 }), ax.ValueError, /empty axis/);
    throwsTyped(() => nn.functional.interpolate(ax.zeros(4), { size: 3 }), ax.ShapeError, /spatial/);
  });
});
