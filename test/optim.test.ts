import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { loadFixture } from './helpers/fixtures.js';
import { JsBackend } from '../src/backend/js/index.js';

const { optim } = ax;

interface Fixture {
  generator: string;
  w0: number[];
  b0: number[];
  X: number[];
  Y: number[];
  cases: {
    optimizer: string;
    options: Record<string, any>;
    groups: Record<string, any>[] | null;
    trajectory: number[][];
  }[];
}
const fx = loadFixture<Fixture>('optim.json');
const X = ax.tensor(fx.X, { shape: [8, 4] }),
  Y = ax.tensor(fx.Y, { shape: [8, 3] });
const loss = (w: ax.Tensor, b: ax.Tensor) => X.matmul(w).add(b).sub(Y).square().mean().add(w.pow(4).sum().mul(0.01));

function make(name: string, params: any, options: Record<string, any>): ax.optim.Optimizer<any> {
  const Ctor = (optim as unknown as Record<string, new (p: any, o: any) => ax.optim.Optimizer<any>>)[name];
  if (!Ctor) throw new Error(`no optimizer ${name}`);
  return new Ctor(params, options);
}

function setup(c: Fixture['cases'][number]) {
  const w = new ax.nn.Parameter(ax.tensor(fx.w0, { shape: [4, 3] })),
    b = new ax.nn.Parameter(ax.tensor(fx.b0));
  const params = c.groups
    ? [
        { params: [w], ...c.groups[0] },
        { params: [b], ...c.groups[1] },
      ]
    : [w, b];
  return { w, b, opt: make(c.optimizer, params, c.options) };
}

function run(opt: ax.optim.Optimizer<any>, w: ax.Tensor, b: ax.Tensor, steps: number, record?: number[][]): void {
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    loss(w, b).backward();
    opt.step();
    record?.push([...(w.toTypedArray() as Float32Array), ...(b.toTypedArray() as Float32Array)]);
  }
}

describe(`optimizers: 20-step trajectories against PyTorch (${fx.generator})`, () => {
  for (const c of fx.cases) {
    test(`${c.optimizer} ${JSON.stringify(c.options)}${c.groups ? ` groups ${JSON.stringify(c.groups)}` : ''}`, () => {
      const { w, b, opt } = setup(c);
      const traj: number[][] = [];
      run(opt, w, b, 20, traj);
      traj.forEach((row, step) =>
        row.forEach((v, i) => {
          const ref = c.trajectory[step]![i]!;
          assert.ok(Math.abs(v - ref) <= 2e-5 + 2e-4 * Math.abs(ref), `step ${step + 1}, value ${i}: ${v} vs ${ref}`);
        }),
      );
    });
  }
});

describe('optimizers without fused step kernels (the op-by-op path) give the same trajectories', () => {
  // A JS backend that lacks sgdStep/adamStep, so the optimizers compose their update from ops.
  ax.registerBackend('js-unfused', () =>
    Object.assign(Object.create(new JsBackend()), { sgdStep: undefined, adamStep: undefined }),
  );
  for (const c of fx.cases) {
    test(`${c.optimizer} ${JSON.stringify(c.options)}`, () => {
      const previous = ax.getBackend().name;
      ax.setBackend('js-unfused');
      try {
        const { w, b, opt } = setup(c);
        const traj: number[][] = [];
        run(opt, w, b, 20, traj);
        traj[19]!.forEach((v, i) => {
          const ref = c.trajectory[19]![i]!;
          assert.ok(Math.abs(v - ref) <= 2e-5 + 2e-4 * Math.abs(ref), `value ${i}: ${v} vs ${ref}`);
        });
      } finally {
        ax.setBackend(previous);
      }
    });
  }
});

describe('optimizer state', () => {
  test('stateDict/loadStateDict resumes a run exactly', () => {
    for (const c of fx.cases.filter((k) => k.optimizer !== 'SGD' || k.options['momentum'])) {
      const a = setup(c);
      run(a.opt, a.w, a.b, 20);
      const b = setup(c);
      run(b.opt, b.w, b.b, 10);
      const saved = b.opt.stateDict();
      run(b.opt, b.w, b.b, 3); // steps after saving must not leak into the saved dict
      const resumed = setup(c);
      // parameters as they were at step 10
      const ref = setup(c);
      run(ref.opt, ref.w, ref.b, 10);
      ax.noGrad(() => {
        resumed.w.copy_(ref.w);
        resumed.b.copy_(ref.b);
      });
      resumed.opt.loadStateDict(saved);
      run(resumed.opt, resumed.w, resumed.b, 10);
      assert.deepEqual(resumed.w.toArray(), a.w.toArray(), `${c.optimizer} ${JSON.stringify(c.options)}`);
    }
  });

  test('bad hyper-parameters and mismatched state dicts are refused', () => {
    const p = new ax.nn.Parameter(ax.zeros([2]));
    assert.throws(() => new optim.SGD([p], { lr: -1 }), ax.ValueError);
    assert.throws(() => new optim.SGD([p], { lr: 0.1, nesterov: true }), /Nesterov/);
    assert.throws(() => new optim.Adam([p], { betas: [1, 0.9] }), /betas/);
    assert.throws(() => new optim.Adam([]), /empty parameter list/);
    assert.throws(() => new optim.SGD([{ params: [p] }, { params: [p] }], { lr: 0.1 }), /more than one group/);
    const a = new optim.Adam([p]);
    p.grad = ax.ones([2]);
    a.step();
    const q = new ax.nn.Parameter(ax.zeros([3]));
    assert.throws(() => new optim.Adam([q]).loadStateDict(a.stateDict()), /shape/);
  });

  test('zeroGrad clears gradients; parameters without a gradient are left alone', () => {
    const p = new ax.nn.Parameter(ax.ones([2])),
      q = new ax.nn.Parameter(ax.ones([2]));
    const o = new optim.SGD([p, q], { lr: 0.5 });
    p.sum().backward();
    o.step();
    assert.deepEqual(p.toArray(), [0.5, 0.5]);
    assert.deepEqual(q.toArray(), [1, 1]);
    o.zeroGrad();
    assert.equal(p.grad, null);
  });
});

test('the newer optimizers and schedules refuse bad options with typed errors', () => {
  const p = new ax.nn.Parameter(ax.zeros([2]));
  assert.throws(() => new optim.Adamax([p], { betas: [1, 0.9] }), /Adamax: invalid betas/);
  assert.throws(() => new optim.NAdam([p], { momentumDecay: -1 }), /NAdam: invalid momentumDecay/);
  assert.throws(() => new optim.RAdam([p], { eps: -1 }), /RAdam: invalid eps/);
  assert.throws(() => new optim.Adadelta([p], { rho: 2 }), /Adadelta: invalid rho/);
  const sgd = new optim.SGD([p], { lr: 0.1 });
  assert.throws(() => new optim.LambdaLR(sgd, [() => 1, () => 1]), /2 functions for 1 parameter groups/);
  assert.throws(() => new optim.LambdaLR(sgd, (() => NaN) as never), /lrLambda\(0\) returned NaN/);
  assert.throws(() => new optim.PolynomialLR(sgd, 0), /totalIters/);
  assert.throws(() => new optim.CyclicLR(sgd, { baseLr: 0.1, maxLr: 1, mode: 'sine' as never }), /unknown mode 'sine'/);
  assert.throws(
    () => new optim.CyclicLR(new optim.Adagrad([p]), { baseLr: 0.1, maxLr: 1 }),
    /cycleMomentum needs an optimizer with momentum/,
  );
});

describe(`LBFGS: 6 closure steps against PyTorch (${fx.generator})`, () => {
  const lb = (
    fx as unknown as { lbfgs: { options: Record<string, unknown>; trajectory: number[][]; losses: number[] }[] }
  ).lbfgs;
  for (const c of lb) {
    test(`LBFGS ${JSON.stringify(c.options)}`, () => {
      const w = new ax.nn.Parameter(ax.tensor(fx.w0, { shape: [4, 3] })),
        b = new ax.nn.Parameter(ax.tensor(fx.b0));
      const opt = new optim.LBFGS([w, b], c.options as Partial<ax.optim.LBFGSOptions>);
      const closure = () => {
        opt.zeroGrad();
        const l = loss(w, b);
        l.backward();
        return l;
      };
      for (let step = 0; step < 6; step++) {
        const l = opt.step(closure);
        // The vectors are float64 here and float32 in PyTorch: iterations amplify the difference a little.
        assert.ok(
          Math.abs(l - c.losses[step]!) <= 1e-4 * Math.max(1, Math.abs(c.losses[step]!)),
          `step ${step + 1}: loss ${l} vs ${c.losses[step]}`,
        );
        const row = [...(w.toTypedArray() as Float32Array), ...(b.toTypedArray() as Float32Array)];
        row.forEach((v, i) => {
          const ref = c.trajectory[step]![i]!;
          assert.ok(Math.abs(v - ref) <= 2e-5 + 2e-4 * Math.abs(ref), `step ${step + 1}, value ${i}: ${v} vs ${ref}`);
        });
      }
    });
  }

  test('bad uses raise ValueError naming LBFGS', () => {
    const p = new ax.nn.Parameter(ax.randn([3]));
    const opt = new optim.LBFGS([p]);
    assert.throws(() => opt.step(), /LBFGS: step\(\) needs a closure/);
    assert.throws(() => opt.step((() => 'x') as never), /LBFGS: the closure must return the loss/);
    assert.throws(
      () => new optim.LBFGS([{ params: [p] }, { params: [new ax.nn.Parameter(ax.randn([2]))] }]),
      /one parameter group/,
    );
    assert.throws(
      () => new optim.LBFGS([p], { lineSearchFn: 'armijo' as never }),
      /lineSearchFn must be null or 'strong_wolfe'/,
    );
    assert.throws(() => new optim.LBFGS([p], { historySize: 0 }), /historySize must be a positive integer/);
  });

  test('its history is in stateDict (and checkpoints): a resumed optimizer continues exactly', () => {
    const make = () => {
      const w = new ax.nn.Parameter(ax.tensor(fx.w0, { shape: [4, 3] })),
        b = new ax.nn.Parameter(ax.tensor(fx.b0));
      const opt = new optim.LBFGS([w, b], { maxIter: 3, historySize: 4, lineSearchFn: 'strong_wolfe' });
      const closure = () => {
        opt.zeroGrad();
        const l = loss(w, b);
        l.backward();
        return l;
      };
      return { w, b, opt, closure };
    };
    const a = make();
    for (let i = 0; i < 2; i++) a.opt.step(a.closure);
    const saved = a.opt.stateDict();
    const dirs = saved.state[0]!['old_dirs'] as ax.Tensor;
    assert.ok(dirs.shape[0]! >= 1 && dirs.shape[0]! <= 4 && dirs.shape[1] === 15, `old_dirs ${dirs.shape}`);
    const path = join(mkdtempSync(join(tmpdir(), 'axon-lbfgs-')), 'ckpt.safetensors');
    const model = new ax.nn.Linear(1, 1);
    ax.io.saveCheckpoint(path, { model, optimizer: a.opt });
    const b = make();
    ax.noGrad(() => {
      b.w.copy_(a.w);
      b.b.copy_(a.b);
    });
    ax.io.loadCheckpoint(path, { model, optimizer: b.opt });
    for (let i = 0; i < 2; i++) assert.equal(b.opt.step(b.closure), a.opt.step(a.closure));
    assert.deepEqual([...b.w.toTypedArray()], [...a.w.toTypedArray()]);
    // A history of the wrong width is refused whole.
    const bad = { ...saved, state: { 0: { ...saved.state[0]!, d: ax.zeros([7], { dtype: 'float64' }) } } };
    assert.throws(() => make().opt.loadStateDict(bad), /state 'd' has shape \[7\], expected \[15\]/);
  });

  test('fits a least-squares problem to its exact solution in one step with strong Wolfe', () => {
    ax.manualSeed(4);
    const A = ax.randn([20, 5]),
      xTrue = ax.randn([5]),
      y = A.matmul(xTrue);
    const x = new ax.nn.Parameter(ax.zeros([5]));
    const opt = new optim.LBFGS([x], { lineSearchFn: 'strong_wolfe', maxIter: 50 });
    opt.step(() => {
      opt.zeroGrad();
      const l = A.matmul(x).sub(y).square().sum();
      l.backward();
      return l;
    });
    assert.ok(ax.allclose(x, xTrue, { atol: 1e-3 }), `${x.toArray()} vs ${xTrue.toArray()}`);
  });
});
