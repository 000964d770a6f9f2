import { isGradEnabled } from '../autograd/grad-mode.js';
import { record } from '../autograd/record.js';
import type { UnaryOp } from '../backend/index.js';
import { checkChoice, numberArg, optionsArg, show } from '../check.js';
import { ValueError } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { where } from './binary.js';
import { to } from './cast.js';
import { backend, clampBounds, empty, floatDType } from './util.js';

/**
 * The op table of the pointwise unary ops: one entry per op. From an entry come the function
 * (`ax.exp`), the method (`x.exp()`), the kernel call (JS, or native when the addon has a kernel of
 * that name), the autograd rule, and the test recipe that the gradient check, the backend parity
 * test and the PyTorch fixture test read (each fails when an entry has no case). Adding a pointwise
 * op is an entry here plus its scalar kernel in src/backend/js/scalar.ts (CONTRIBUTING.md).
 */
export interface PointwiseDef {
  /** The kernel and its two parameters for the call's extra arguments (which it checks). */
  kernel: UnaryOp | ((...args: never[]) => [UnaryOp, number, number]);
  /** Integer and bool inputs compute in float32, as PyTorch's floating functions do. */
  float?: boolean;
  /** A bool result (no gradient). */
  bool?: boolean;
  /**
   * The input's gradient written with ops (so gradients of gradients work): g · dy/dx, given x, the
   * output y and the kernel parameters. 'zero' for piecewise-constant ops; absent for bool results.
   */
  grad?: ((g: Tensor, x: Tensor, y: Tensor, p0: number, p1: number, kernel: UnaryOp) => Tensor) | 'zero';
  /** Which tensors grad reads (checked for in-place changes before backward): the input, the output. */
  saves?: 'x' | 'y';
  /** How the tests call it: input domain, extra-argument cases, and the fixture's arguments. */
  test: {
    domain: 'real' | 'positive' | 'away0' | 'unit';
    cases?: unknown[][];
    /** false for piecewise-linear ops: their gradient does not depend on x, so no second order to check. */
    secondOrder?: false;
    /** The op's arguments from the arguments scripts/gen_op_fixtures.py recorded. */
    fromFixture?: (a: Record<string, unknown>) => unknown[];
  };
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_TANH_K = Math.sqrt(2 / Math.PI);

/** 1 where x > 0, else 0, in x's dtype: relu's derivative (zero gradient of its own). */
function step(x: Tensor): Tensor {
  return derivative('step', x);
}

/** A derivative kernel applied to x, outside the graph (for backward passes that record nothing). */
function derivative(kernel: 'step' | 'geluGrad' | 'geluTanhGrad', x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  backend().unary(kernel, x, out);
  return out;
}

/**
 * g · d for a derivative d that derivative() just made: in a plain backward pass the product is
 * written over d, saving a full-size array (a fresh one costs more than the multiply: LeNet-5's
 * ReLU gradient of 102 K elements, 17 µs to multiply, ~300 µs with a new output). With createGraph
 * the product is an op of the graph.
 */
function timesDerivative(g: Tensor, d: Tensor): Tensor {
  if (isGradEnabled() || g.dtype !== d.dtype || !shapesEqual(g.shape, d.shape)) return g.mul(d);
  backend().binary('mul', d, g, d);
  return d;
}

/**
 * Each op's kernel, or how its extra arguments (checked here) choose the kernel and its two
 * parameters. The ops' signatures (functions and methods) are derived from this object.
 */
const KERNELS = {
  neg: 'neg',
  abs: 'abs',
  sign: 'sign',
  exp: 'exp',
  expm1: 'expm1',
  log: 'log',
  log1p: 'log1p',
  sqrt: 'sqrt',
  rsqrt: 'rsqrt',
  sin: 'sin',
  tan: 'tan',
  asin: 'asin',
  acos: 'acos',
  atan: 'atan',
  sinh: 'sinh',
  cosh: 'cosh',
  log2: 'log2',
  log10: 'log10',
  isinf: 'isinf',
  isfinite: 'isfinite',
  cos: 'cos',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  erf: 'erf',
  reciprocal: 'reciprocal',
  square: 'square',
  floor: 'floor',
  ceil: 'ceil',
  round: 'round',
  isnan: 'isnan',
  logicalNot: 'logicalNot',
  clamp: (min?: number | null, max?: number | null) => ['clamp', ...clampBounds('clamp', min, max)],
  relu: 'relu',
  leakyRelu: (negativeSlope?: number) => ['leakyRelu', numberArg('leakyRelu', 'negativeSlope', negativeSlope, 0.01), 0],
  elu: (alpha?: number) => ['elu', numberArg('elu', 'alpha', alpha, 1), 0],
  gelu: (options?: { approximate?: 'none' | 'tanh' }) => {
    const approximate = checkChoice('gelu', 'approximate', optionsArg('gelu', options).approximate, [
      'none',
      'tanh',
    ] as const);
    return [approximate === 'tanh' ? 'geluTanh' : 'gelu', 0, 0];
  },
  silu: 'silu',
  hardtanh: (minVal?: number, maxVal?: number) => {
    const lo = numberArg('hardtanh', 'minVal', minVal, -1),
      hi = numberArg('hardtanh', 'maxVal', maxVal, 1);
    if (hi < lo) throw new ValueError(`hardtanh: maxVal (${hi}) must not be below minVal (${lo})`);
    return ['clamp', lo, hi];
  },
  relu6: 'relu6',
  hardsigmoid: 'hardsigmoid',
  hardswish: 'hardswish',
  logsigmoid: 'logsigmoid',
  softsign: 'softsign',
  mish: 'mish',
  softplus: (options?: { beta?: number; threshold?: number }) => {
    const o = optionsArg('softplus', options);
    return ['softplus', numberArg('softplus', 'beta', o.beta, 1), numberArg('softplus', 'threshold', o.threshold, 20)];
  },
} satisfies Record<string, PointwiseDef['kernel']>;

export type PointwiseName = keyof typeof KERNELS;

/** Each op's dtype rule, gradient rule and test recipe. */
const RULES: Record<PointwiseName, Omit<PointwiseDef, 'kernel'>> = {
  neg: { grad: (g) => g.neg(), test: { domain: 'real', secondOrder: false } },
  abs: { grad: (g, x) => g.mul(x.sign()), test: { domain: 'away0' } },
  sign: { grad: 'zero', test: { domain: 'away0' } },
  exp: { float: true, saves: 'y', grad: (g, _x, y) => g.mul(y), test: { domain: 'real' } },
  // d/dx (eˣ − 1) = eˣ = y + 1
  expm1: { float: true, saves: 'y', grad: (g, _x, y) => g.mul(y.add(1)), test: { domain: 'real' } },
  log: { float: true, grad: (g, x) => g.div(x), test: { domain: 'positive' } },
  log1p: { float: true, grad: (g, x) => g.div(x.add(1)), test: { domain: 'positive' } },
  sqrt: { float: true, saves: 'y', grad: (g, _x, y) => g.div(y.mul(2)), test: { domain: 'positive' } },
  // d/dx x^(-1/2) = -1/2 · x^(-3/2) = -1/2 · y³
  rsqrt: { float: true, saves: 'y', grad: (g, _x, y) => g.mul(y.pow(3)).mul(-0.5), test: { domain: 'positive' } },
  sin: { float: true, grad: (g, x) => g.mul(x.cos()), test: { domain: 'real' } },
  // d/dx tan = 1 + tan²
  tan: { float: true, saves: 'y', grad: (g, _x, y) => g.mul(y.mul(y).add(1)), test: { domain: 'unit' } },
  // d/dx asin = 1/√(1 − x²), acos = −1/√(1 − x²), atan = 1/(1 + x²)
  asin: { float: true, grad: (g, x) => g.mul(x.mul(x).rsub(1).rsqrt()), test: { domain: 'unit' } },
  acos: { float: true, grad: (g, x) => g.mul(x.mul(x).rsub(1).rsqrt()).neg(), test: { domain: 'unit' } },
  atan: { float: true, grad: (g, x) => g.div(x.mul(x).add(1)), test: { domain: 'real' } },
  sinh: { float: true, grad: (g, x) => g.mul(x.cosh()), test: { domain: 'real' } },
  cosh: { float: true, grad: (g, x) => g.mul(x.sinh()), test: { domain: 'real' } },
  // d/dx log_b x = 1/(x ln b)
  log2: { float: true, grad: (g, x) => g.div(x.mul(Math.LN2)), test: { domain: 'positive' } },
  log10: { float: true, grad: (g, x) => g.div(x.mul(Math.LN10)), test: { domain: 'positive' } },
  isinf: { bool: true, test: { domain: 'real' } },
  isfinite: { bool: true, test: { domain: 'real' } },
  cos: { float: true, grad: (g, x) => g.mul(x.sin()).neg(), test: { domain: 'real' } },
  // d/dx tanh = 1 − tanh²
  tanh: { float: true, saves: 'y', grad: (g, _x, y) => g.mul(y.mul(y).rsub(1)), test: { domain: 'real' } },
  // d/dx σ = σ(1 − σ)
  sigmoid: { float: true, saves: 'y', grad: (g, _x, y) => g.mul(y).mul(y.rsub(1)), test: { domain: 'real' } },
  // d/dx erf = 2/√π · exp(−x²)
  erf: {
    float: true,
    grad: (g, x) =>
      g.mul(
        x
          .mul(x)
          .neg()
          .exp()
          .mul(2 / Math.sqrt(Math.PI)),
      ),
    test: { domain: 'real' },
  },
  // d/dx 1/x = −1/x² = −y²
  reciprocal: { float: true, saves: 'y', grad: (g, _x, y) => g.mul(y.mul(y)).neg(), test: { domain: 'positive' } },
  square: { grad: (g, x) => g.mul(x).mul(2), test: { domain: 'real' } },
  floor: { grad: 'zero', test: { domain: 'real' } },
  ceil: { grad: 'zero', test: { domain: 'real' } },
  round: { grad: 'zero', test: { domain: 'real' } },
  isnan: { bool: true, test: { domain: 'real' } },
  logicalNot: { bool: true, test: { domain: 'real' } },
  // Clamps into [min, max] (min > max: every value becomes max, as PyTorch); the gradient passes where min ≤ x ≤ max.
  clamp: {
    grad: (g, x, _y, lo, hi) => g.mul(x.ge(lo).logicalAnd(x.le(hi)).to(g.dtype)),
    test: { domain: 'real', cases: [[-0.5, 0.5]], secondOrder: false, fromFixture: (a) => [a['min'], a['max']] },
  },
  // Activations. relu's derivative is the step function (1 where x > 0).
  relu: { float: true, grad: (g, x) => timesDerivative(g, step(x)), test: { domain: 'away0', secondOrder: false } },
  leakyRelu: {
    float: true,
    grad: (g, x, _y, slope) => where(x.gt(0), g, g.mul(slope)),
    test: { domain: 'away0', cases: [[], [0.1]], secondOrder: false, fromFixture: (a) => [a['slope']] },
  },
  // d/dx = 1 for x > 0, alpha·exp(x) otherwise
  elu: {
    float: true,
    grad: (g, x, _y, alpha) => where(x.gt(0), g, g.mul(x.exp().mul(alpha))),
    test: { domain: 'away0', cases: [[1.5]], fromFixture: (a) => [a['alpha']] },
  },
  // GELU, exact x·Φ(x) or PyTorch's tanh approximation.
  gelu: {
    float: true,
    grad: (g, x, _y, _p0, _p1, kernel) => {
      // A plain backward pass multiplies by the derivative's own kernel: two full-size ops instead of
      // eleven (a GPT block's GELU is its largest activation). With createGraph, the ops below.
      if (!isGradEnabled()) return timesDerivative(g, derivative(kernel === 'gelu' ? 'geluGrad' : 'geluTanhGrad', x));
      if (kernel === 'gelu') {
        // Φ(x) + x·φ(x)
        const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
        const pdf = x.mul(x).mul(-0.5).exp().mul(INV_SQRT_2PI);
        return g.mul(cdf.add(x.mul(pdf)));
      }
      // ½(1 + tanh u) + ½x(1 − tanh² u)·u′, u = k(x + 0.044715x³)
      const x2 = x.mul(x);
      const th = x.add(x2.mul(x).mul(0.044715)).mul(GELU_TANH_K).tanh();
      const dInner = x2
        .mul(3 * 0.044715)
        .add(1)
        .mul(GELU_TANH_K);
      return g.mul(
        th
          .add(1)
          .mul(0.5)
          .add(x.mul(0.5).mul(th.mul(th).rsub(1)).mul(dInner)),
      );
    },
    test: {
      domain: 'real',
      cases: [[], [{ approximate: 'tanh' }]],
      fromFixture: (a) => [{ approximate: a['approximate'] }],
    },
  },
  // SiLU (swish) x·σ(x): d/dx = σ(1 + x(1 − σ))
  silu: {
    float: true,
    grad: (g, x) => {
      const s = x.sigmoid();
      return g.mul(s.mul(x.mul(s.rsub(1)).add(1)));
    },
    test: { domain: 'real' },
  },
  // hardtanh clamps into [minVal, maxVal]; its gradient passes strictly inside (PyTorch's rule)
  hardtanh: {
    grad: (g, x, _y, lo, hi) => g.mul(x.gt(lo).logicalAnd(x.lt(hi)).to(g.dtype)),
    test: {
      domain: 'real',
      cases: [[], [-0.5, 0.7]],
      secondOrder: false,
      fromFixture: (a) => [a['minVal'], a['maxVal']],
    },
  },
  relu6: {
    float: true,
    grad: (g, x) => g.mul(x.gt(0).logicalAnd(x.lt(6)).to(g.dtype)),
    test: { domain: 'real', secondOrder: false },
  },
  // hardsigmoid = relu6(x + 3)/6: gradient 1/6 strictly inside (−3, 3)
  hardsigmoid: {
    float: true,
    grad: (g, x) => g.mul(x.gt(-3).logicalAnd(x.lt(3)).to(g.dtype)).div(6),
    test: { domain: 'real', secondOrder: false },
  },
  // hardswish = x·relu6(x + 3)/6: gradient 0 below −3, x/3 + ½ up to 3, 1 above (PyTorch's)
  hardswish: {
    float: true,
    grad: (g, x) => g.mul(where(x.lt(-3), 0, where(x.le(3), x.div(3).add(0.5), 1))),
    test: { domain: 'real' },
  },
  // logsigmoid = −softplus(−x): d/dx = σ(−x) = 1 − σ(x)
  logsigmoid: { float: true, grad: (g, x) => g.mul(x.sigmoid().rsub(1)), test: { domain: 'real' } },
  // softsign = x/(1 + |x|): d/dx = 1/(1 + |x|)²
  softsign: { float: true, grad: (g, x) => g.div(x.abs().add(1).square()), test: { domain: 'real' } },
  // Mish x·tanh(softplus x): d/dx = tanh(sp) + x·(1 − tanh²(sp))·σ(x)
  mish: {
    float: true,
    grad: (g, x) => {
      const t = x.softplus().tanh();
      return g.mul(t.add(x.mul(t.mul(t).rsub(1)).mul(x.sigmoid())));
    },
    test: { domain: 'real' },
  },
  // log(1 + exp(βx))/β, linear above the threshold; d/dx = σ(βx) below it
  softplus: {
    float: true,
    grad: (g, x, _y, beta, threshold) => {
      const bx = x.mul(beta);
      return where(bx.gt(threshold), g, g.mul(bx.sigmoid()));
    },
    test: {
      domain: 'real',
      cases: [[{ beta: 2 }]],
      fromFixture: (a) => [{ beta: a['beta'], threshold: a['threshold'] }],
    },
  },
};

/** The op table: kernel and rules, by name. */
export const POINTWISE: Record<PointwiseName, PointwiseDef> = Object.fromEntries(
  Object.entries(RULES).map(([name, rule]) => [name, { kernel: KERNELS[name as PointwiseName], ...rule }]),
) as Record<PointwiseName, PointwiseDef>;

type Extra<K extends PointwiseName> = (typeof KERNELS)[K] extends (...args: infer A) => unknown ? A : [];

/** The functions of the table: `ax.exp(x)`, `ax.clamp(x, min, max)`, … */
export type PointwiseFunctions = { [K in PointwiseName]: (x: Tensor, ...args: Extra<K>) => Tensor };
/** The same as methods: `x.exp()`, `x.clamp(min, max)`, … */
export type PointwiseMethods = { [K in PointwiseName]: (...args: Extra<K>) => Tensor };

/** Runs one entry: checks the arguments, calls the kernel, records the gradient rule. */
function apply(name: string, def: PointwiseDef, input: Tensor, args: unknown[]): Tensor {
  if (!(input instanceof Tensor)) throw new ValueError(`${name}: expected a Tensor, got ${show(input)}`);
  const [kernel, p0, p1] =
    typeof def.kernel === 'function'
      ? (def.kernel as (...a: unknown[]) => [UnaryOp, number, number])(...args)
      : [def.kernel, 0, 0];
  const x = def.float && !isFloating(input.dtype) ? to(input, floatDType(input.dtype)) : input;
  const y = empty(x.shape, def.bool ? 'bool' : x.dtype);
  backend().unary(kernel, x, y, p0, p1);
  const grad = def.grad;
  if (grad === undefined) return y;
  if (grad === 'zero') return record(name, y, [x], (g) => [g.zerosLike()]);
  return record(name, y, [x], (g) => [grad(g, x, y, p0, p1, kernel)], [def.saves === 'y' ? y : x]);
}

export const pointwise = Object.fromEntries(
  Object.entries(POINTWISE).map(([name, def]) => [
    name,
    (x: Tensor, ...args: unknown[]) => apply(name, def as PointwiseDef, x, args),
  ]),
) as unknown as PointwiseFunctions;
