import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { loadFixture } from './helpers/fixtures.js';

const { optim } = ax;

interface Fixture {
  generator: string;
  metrics: number[];
  cases: { name: string; args: Record<string, any> | null; lrs: number[]; momenta: number[] }[];
  clip: Record<string, any> & { grads: number[][]; shapes: number[][] };
}
const fx = loadFixture<Fixture>('schedulers.json');

function optimizer() {
  return new optim.SGD([new ax.nn.Parameter(ax.zeros([1]))], { lr: 0.1, momentum: 0.9 });
}

function make(name: string, o: ax.optim.SGD, a: Record<string, any> | null): { step(m?: number): void } {
  switch (name) {
    case 'StepLR':
      return new optim.StepLR(o, a!.stepSize, a!.gamma);
    case 'MultiStepLR':
      return new optim.MultiStepLR(o, a!.milestones, a!.gamma);
    case 'ExponentialLR':
      return new optim.ExponentialLR(o, a!.gamma);
    case 'CosineAnnealingLR':
      return new optim.CosineAnnealingLR(o, a!.tMax, a!.etaMin);
    case 'CosineAnnealingWarmRestarts':
      return new optim.CosineAnnealingWarmRestarts(o, a!.t0, a!.tMult, a!.etaMin);
    case 'LinearLR':
      return new optim.LinearLR(o, a!);
    case 'OneCycleLR':
      return new optim.OneCycleLR(o, a as ax.optim.OneCycleOptions);
    case 'SequentialLR':
      return new optim.SequentialLR(
        o,
        [new optim.LinearLR(o, { startFactor: 0.2, endFactor: 1, totalIters: 5 }), new optim.CosineAnnealingLR(o, 20)],
        [5],
      );
    case 'ReduceLROnPlateau':
      return new optim.ReduceLROnPlateau(o, a!);
    case 'LambdaLR':
      return new optim.LambdaLR(o, (e) => Math.min(1, (e + 1) / 5) * 0.9 ** e);
    case 'MultiplicativeLR':
      return new optim.MultiplicativeLR(o, () => 0.95);
    case 'PolynomialLR':
      return new optim.PolynomialLR(o, a!.totalIters, a!.power);
    case 'CyclicLR':
      return new optim.CyclicLR(o, a as ax.optim.CyclicOptions);
    default:
      throw new Error(name);
  }
}

describe(`learning-rate schedules against PyTorch (${fx.generator})`, () => {
  for (const c of fx.cases) {
    test(`${c.name} ${JSON.stringify(c.args)}`, () => {
      const o = optimizer();
      const s = make(c.name, o, c.args);
      for (let i = 0; i < 30; i++) {
        o.step();
        if (c.name === 'ReduceLROnPlateau') s.step(fx.metrics[i]);
        else s.step();
        const lr = o.paramGroups[0]!.lr,
          m = o.paramGroups[0]!.momentum;
        assert.ok(
          Math.abs(lr - c.lrs[i]!) <= 1e-9 + 1e-7 * Math.abs(c.lrs[i]!),
          `step ${i + 1}: lr ${lr} vs ${c.lrs[i]}`,
        );
        assert.ok(Math.abs(m - c.momenta[i]!) <= 1e-9, `step ${i + 1}: momentum ${m} vs ${c.momenta[i]}`);
      }
    });
  }
  test('bad arguments', () => {
    assert.throws(() => new optim.StepLR(optimizer(), 0), ax.ValueError);
    assert.throws(() => new optim.OneCycleLR(optimizer(), { maxLr: 1 }), /totalSteps/);
    // As PyTorch: totalSteps calls of step() after construction are fine, one more is an error.
    const oc = new optim.OneCycleLR(optimizer(), { maxLr: 1, totalSteps: 2 });
    oc.step();
    oc.step();
    assert.throws(() => oc.step(), /stepped 3 times, more than totalSteps 2/);
    assert.throws(() => new optim.ReduceLROnPlateau(optimizer()).step(NaN), /finite/);
  });
});

describe('gradient clipping and penalties', () => {
  function params(): ax.nn.Parameter[] {
    return fx.clip.grads.map((g, i) => {
      const p = new ax.nn.Parameter(ax.zeros(fx.clip.shapes[i]!));
      p.grad = ax.tensor(g, { shape: fx.clip.shapes[i]! });
      return p;
    });
  }
  const check = (ps: ax.nn.Parameter[], expected: { grads: number[][] }, what: string) =>
    ps.forEach((p, i) =>
      (p.grad!.toTypedArray() as Float32Array).forEach((v, k) => {
        assert.ok(
          Math.abs(v - expected.grads[i]![k]!) <= 1e-6 + 1e-5 * Math.abs(expected.grads[i]![k]!),
          `${what}: ${v} vs ${expected.grads[i]![k]}`,
        );
      }),
    );
  for (const [key, max, normType] of [
    ['norm2', 1.5, 2],
    ['norm1', 2.0, 1],
    ['normInf', 0.5, Infinity],
    ['noclip', 1000, 2],
  ] as const) {
    test(`clipGradNorm ${key}`, () => {
      const ps = params();
      const total = optim.clipGradNorm(ps, max, { normType });
      assert.ok(
        Math.abs(total - fx.clip[key].total) < 1e-4 * fx.clip[key].total,
        `total norm ${total} vs ${fx.clip[key].total}`,
      );
      check(ps, fx.clip[key], key);
    });
  }
  test('clipGradValue', () => {
    const ps = params();
    optim.clipGradValue(ps, 0.7);
    check(ps, fx.clip['value'], 'value');
  });
  test('non-finite norms raise when asked', () => {
    const p = new ax.nn.Parameter(ax.zeros([2]));
    p.grad = ax.tensor([Infinity, 1]);
    assert.throws(() => optim.clipGradNorm([p], 1, { errorIfNonfinite: true }), ax.ValueError);
  });
  test('L1 and L2 penalties are differentiable sums', () => {
    const w = new ax.nn.Parameter(ax.tensor([1, -2, 3]));
    const pen = optim
      .l1Penalty([w])
      .mul(0.5)
      .add(optim.l2Penalty([w]).mul(0.1));
    assert.ok(Math.abs(pen.item() - (0.5 * 6 + 0.1 * 14)) < 1e-5);
    pen.backward();
    assert.deepEqual(
      (w.grad!.toArray() as number[]).map((v) => +v.toFixed(5)),
      [0.7, -0.9, 1.1],
    );
  });
});
