import { record } from '../autograd/record.js';
import type { BinaryOp } from '../backend/index.js';
import { DTypeError, ValueError } from '../errors.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { asTensor } from './cast.js';
import { type TensorLike, backend, broadcastView, empty, floatDType, promote } from './util.js';
import { sumToShape } from './views.js';
import { where } from './where.js';

/**
 * The op table of the two-operand pointwise ops (broadcasting): one entry per op. From an entry come
 * the function (`ax.atan2`), the method (`y.atan2(x)`), the kernel call (JS, or native when the addon
 * has a kernel of that name), the autograd rule and the test recipe that test/binary.table.test.ts
 * reads (gradients, backend parity, dtype rule, PyTorch fixture — each fails when an entry lacks a
 * case). An entry's name is its kernel's name in the backends: adding a binary op is its scalar kernel
 * in src/backend/js/scalar.ts (BINARY_KERNELS) and its entry here (the type asks for one).
 * add, sub and pow keep thin wrappers in binary.ts for their extra forms (alpha, scalar exponent).
 */
export interface BinaryDef {
  /**
   * The result's dtype from the operands': 'promote' (PyTorch's promotion), 'float' (promoted, then
   * float32 for integer and bool operands, as true division), 'bool' (computed in the promoted
   * dtype, a bool result without gradient).
   */
  dtype: 'promote' | 'float' | 'bool';
  /** Bool operands are refused (their arithmetic has no meaning, as in PyTorch); names the alternative. */
  noBool?: string;
  /** Integer operands must not divide by zero (checked before the kernel runs). */
  intDivisor?: true;
  /**
   * The gradients written with ops (so gradients of gradients work): g · ∂out/∂a and g · ∂out/∂b at
   * the broadcast shape, given the converted operands and the output. Absent for bool results.
   */
  grad?: [GradFn, GradFn];
  /** Which tensors the rule reads (checked for in-place changes before backward). */
  saves?: ('a' | 'b' | 'out')[];
  test: {
    /** The operands' input domains. */
    domains: [Domain, Domain];
    /** false where the gradient does not depend on the operands (nothing to check at second order). */
    secondOrder?: false;
  };
}
/** The table's names: the binary kernels. */
export type BinaryName = BinaryOp;
type GradFn = (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => Tensor;
export type Domain = 'real' | 'positive' | 'away0';

/** ∂/∂b of a − b·q(a/b) for fmod (q = trunc) and remainder (q = floor): −q(a/b); ∂/∂a is 1. */
const truncate = (t: Tensor) => t.abs().floor().mul(t.sign());

/**
 * maximum/minimum's gradient share of operand a against b (PyTorch's rule): all of it, none where a
 * loses, half on a tie — so NaN operands (neither loses) both receive the gradient, as in PyTorch.
 */
function share(op: 'maximum' | 'minimum', a: Tensor, b: Tensor, dtype: DType): Tensor {
  const loses = op === 'maximum' ? a.lt(b) : a.gt(b);
  return loses.to(dtype).add(a.eq(b).to(dtype).mul(0.5)).rsub(1);
}

const comparison: BinaryDef = { dtype: 'bool', test: { domains: ['real', 'real'] } };

export const BINARY: Record<BinaryName, BinaryDef> = {
  add: { dtype: 'promote', grad: [(g) => g, (g) => g], test: { domains: ['real', 'real'], secondOrder: false } },
  sub: {
    dtype: 'promote',
    noBool: 'use logicalXor()',
    grad: [(g) => g, (g) => g.neg()],
    test: { domains: ['real', 'real'], secondOrder: false },
  },
  mul: {
    dtype: 'promote',
    grad: [(g, _a, b) => g.mul(b), (g, a) => g.mul(a)],
    saves: ['a', 'b'],
    test: { domains: ['real', 'real'] },
  },
  // d(a/b)/da = 1/b, d(a/b)/db = −a/b²
  div: {
    dtype: 'float',
    grad: [(g, _a, b) => g.div(b), (g, a, b) => g.mul(a).div(b.mul(b)).neg()],
    saves: ['a', 'b'],
    test: { domains: ['real', 'positive'] },
  },
  // d(aᵇ)/da = b·aᵇ⁻¹; d(aᵇ)/db = aᵇ·log a, taken as 0 where a = 0 and b ≥ 0 (PyTorch's convention)
  pow: {
    dtype: 'promote',
    noBool: 'convert the operands to int32 or float32 first',
    grad: [
      (g, a, b) => g.mul(b).mul(a.pow(b.sub(1))),
      (g, a, b, out) => where(a.eq(0).logicalAnd(b.ge(0)), 0, g.mul(out).mul(a.log())),
    ],
    saves: ['a', 'b', 'out'],
    test: { domains: ['positive', 'real'] },
  },
  maximum: {
    dtype: 'promote',
    grad: [(g, a, b) => g.mul(share('maximum', a, b, g.dtype)), (g, a, b) => g.mul(share('maximum', b, a, g.dtype))],
    saves: ['a', 'b'],
    test: { domains: ['real', 'real'], secondOrder: false },
  },
  minimum: {
    dtype: 'promote',
    grad: [(g, a, b) => g.mul(share('minimum', a, b, g.dtype)), (g, a, b) => g.mul(share('minimum', b, a, g.dtype))],
    saves: ['a', 'b'],
    test: { domains: ['real', 'real'], secondOrder: false },
  },
  // atan2(a, b) is the angle of the point (x = b, y = a): ∂/∂a = b/(a² + b²), ∂/∂b = −a/(a² + b²)
  atan2: {
    dtype: 'float',
    grad: [
      (g, a, b) => g.mul(b).div(a.square().add(b.square())),
      (g, a, b) => g.mul(a).neg().div(a.square().add(b.square())),
    ],
    saves: ['a', 'b'],
    test: { domains: ['real', 'away0'] },
  },
  // C's fmod a − b·trunc(a/b), the sign of the dividend
  fmod: {
    dtype: 'promote',
    noBool: 'convert the operands to int32 or float32 first',
    intDivisor: true,
    grad: [(g) => g, (g, a, b) => g.mul(truncate(a.div(b))).neg()],
    saves: ['a', 'b'],
    test: { domains: ['real', 'positive'], secondOrder: false },
  },
  // Python's modulo a − b·floor(a/b), the sign of the divisor
  remainder: {
    dtype: 'promote',
    noBool: 'convert the operands to int32 or float32 first',
    intDivisor: true,
    grad: [(g) => g, (g, a, b) => g.mul(a.div(b).floor()).neg()],
    saves: ['a', 'b'],
    test: { domains: ['real', 'positive'], secondOrder: false },
  },
  eq: comparison,
  ne: comparison,
  lt: comparison,
  le: comparison,
  gt: comparison,
  ge: comparison,
  logicalAnd: comparison,
  logicalOr: comparison,
  logicalXor: comparison,
};

/** The dtype the kernel computes in and the result's dtype. */
function dtypes(name: string, def: BinaryDef, a: TensorLike, b: TensorLike): [DType, DType] {
  const promoted = promote(a, b);
  if (def.noBool !== undefined && promoted === 'bool')
    throw new DTypeError(`${name}: bool operands are not supported; ${def.noBool}`);
  if (def.dtype === 'bool') return [promoted, 'bool'];
  const dtype = def.dtype === 'float' ? floatDType(promoted) : promoted;
  return [dtype, dtype];
}

/**
 * Whether an integer divisor holds a 0, read from host memory. Values only in device memory are not
 * checked (a WGSL integer division by zero gives the dividend instead of failing).
 */
function hasZero(y: Tensor): boolean {
  const values = y.storage.peekHost();
  let zero = false;
  if (values) y.forEachOffset((o) => (zero ||= values[o] === 0));
  return zero;
}

/** Runs one entry: converts and broadcasts the operands, calls the kernel, records the gradient rule. */
function apply(name: BinaryName, def: BinaryDef, a: TensorLike, b: TensorLike): Tensor {
  const [compute, result] = dtypes(name, def, a, b);
  const x = asTensor(a, compute),
    y = asTensor(b, compute);
  if (def.intDivisor && !isFloating(compute) && hasZero(y)) throw new ValueError(`${name}: integer division by zero`);
  const shape = broadcastShapes(name, x.shape, y.shape);
  const out = empty(shape, result);
  backend().binary(name, broadcastView(x, shape), broadcastView(y, shape), out);
  const grad = def.grad;
  if (grad === undefined || !isFloating(result) || !(x.requiresGrad || y.requiresGrad)) return out;
  const saved = (def.saves ?? []).map((s) => (s === 'a' ? x : s === 'b' ? y : out));
  return record(
    name,
    out,
    [x, y],
    (g, needs) => [
      needs[0] ? sumToShape(grad[0](g, x, y, out), x.shape) : null,
      needs[1] ? sumToShape(grad[1](g, x, y, out), y.shape) : null,
    ],
    saved,
  );
}

/** The functions of the table: `ax.mul(a, b)`, `ax.atan2(y, x)`, `ax.eq(a, b)`, … */
export const binaryOps = Object.fromEntries(
  Object.entries(BINARY).map(([name, def]) => [
    name,
    (a: TensorLike, b: TensorLike) => apply(name as BinaryName, def, a, b),
  ]),
) as { [K in BinaryName]: (a: TensorLike, b: TensorLike) => Tensor };
