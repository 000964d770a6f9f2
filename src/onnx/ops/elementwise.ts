// Elementwise ONNX ops: math, comparisons, logic and activations, each mapped onto Axon's ops.
import * as B from '../../ops/binary.js';
import { to } from '../../ops/cast.js';
import { pointwise as P } from '../../ops/pointwise.js';
import { full } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type OpContext, defineOps, fail, input, scalarInput } from './registry.js';

/**
 * Before opset 7, binary ops broadcast only when `broadcast=1`, aligning B's dims with A's from
 * `axis` (by default at the end). Reshaping B with trailing 1s turns that into numpy broadcasting.
 */
function operands(ctx: OpContext): [Tensor, Tensor] {
  const a = input(ctx, 0);
  let b = input(ctx, 1);
  if (ctx.opset < 7 && ctx.attrs.int('broadcast', 0) === 1) {
    const axis = ctx.attrs.has('axis') ? ctx.attrs.int('axis') : a.ndim - b.ndim;
    const start = axis < 0 ? axis + a.ndim : axis;
    const trailing = a.ndim - start - b.ndim;
    if (start < 0 || trailing < 0) fail(ctx, `cannot broadcast [${b.shape}] into [${a.shape}] at axis ${axis}`);
    b = b.reshape([...b.shape, ...new Array<number>(trailing).fill(1)]);
  }
  if (a.dtype !== b.dtype) fail(ctx, `inputs have different element types: ${a.dtype} and ${b.dtype}`);
  return [a, b];
}

function binary(fn: (a: Tensor, b: Tensor) => Tensor) {
  return (ctx: OpContext) => fn(...operands(ctx));
}

function unary(fn: (x: Tensor) => Tensor) {
  return (ctx: OpContext) => fn(input(ctx, 0));
}

/** Max, Min, Sum, Mean: any number of inputs, broadcast together. */
function variadic(fn: (a: Tensor, b: Tensor) => Tensor, finish?: (t: Tensor, n: number) => Tensor) {
  return (ctx: OpContext) => {
    const xs = ctx.inputs.map((_, i) => input(ctx, i));
    if (xs.length === 0) fail(ctx, 'needs at least one input');
    const out = xs.slice(1).reduce(fn, xs[0]!);
    return finish ? finish(out, xs.length) : xs.length === 1 ? out.clone() : out;
  };
}

/** Rounds toward zero. */
function trunc(x: Tensor): Tensor {
  return B.where(B.lt(x, 0), P.ceil(x), P.floor(x));
}

/** Integer division truncates toward zero in ONNX. */
function divide(a: Tensor, b: Tensor): Tensor {
  if (a.dtype === 'int32' && b.dtype === 'int32') return to(trunc(B.div(a, b)), 'int32');
  return B.div(a, b);
}

defineOps('', {
  Add: binary((a, b) => B.add(a, b)),
  Sub: binary((a, b) => B.sub(a, b)),
  Mul: binary((a, b) => B.mul(a, b)),
  Div: binary(divide),
  Pow: (ctx) => {
    const x = input(ctx, 0);
    const y = input(ctx, 1);
    return to(B.pow(x, y.dtype === x.dtype ? y : to(y, x.dtype)), x.dtype);
  },
  Mod: (ctx) => {
    const [a, b] = operands(ctx);
    // fmod=1: the sign of the dividend (C's fmod); fmod=0: the sign of the divisor (Python's %).
    const q = B.div(a, b);
    const whole = ctx.attrs.int('fmod', 0) === 1 ? trunc(q) : P.floor(q);
    const r = B.sub(a, B.mul(whole, b));
    return a.dtype === 'int32' ? to(r, 'int32') : r;
  },
  Max: variadic((a, b) => B.maximum(a, b)),
  Min: variadic((a, b) => B.minimum(a, b)),
  Sum: variadic((a, b) => B.add(a, b)),
  Mean: variadic(
    (a, b) => B.add(a, b),
    (t, n) => t.div(n),
  ),
  Equal: binary((a, b) => B.eq(a, b)),
  Less: binary((a, b) => B.lt(a, b)),
  LessOrEqual: binary((a, b) => B.le(a, b)),
  Greater: binary((a, b) => B.gt(a, b)),
  GreaterOrEqual: binary((a, b) => B.ge(a, b)),
  And: binary((a, b) => B.logicalAnd(a, b)),
  Or: binary((a, b) => B.logicalOr(a, b)),
  Xor: binary((a, b) => B.logicalXor(a, b)),
  Not: unary((x) => P.logicalNot(x)),
  Where: (ctx) => {
    const cond = input(ctx, 0);
    if (cond.dtype !== 'bool') fail(ctx, `the condition must be bool, got ${cond.dtype}`);
    return B.where(cond, input(ctx, 1), input(ctx, 2));
  },

  Identity: (ctx) => ctx.inputs[0],
  Abs: unary((x) => P.abs(x)),
  Neg: unary((x) => P.neg(x)),
  Sign: unary((x) => P.sign(x)),
  Exp: unary((x) => P.exp(x)),
  Log: unary((x) => P.log(x)),
  Sqrt: unary((x) => P.sqrt(x)),
  Reciprocal: unary((x) => P.reciprocal(x)),
  Floor: unary((x) => P.floor(x)),
  Ceil: unary((x) => P.ceil(x)),
  Round: unary((x) => P.round(x)),
  Sin: unary((x) => P.sin(x)),
  Cos: unary((x) => P.cos(x)),
  Tan: unary((x) => P.tan(x)),
  Asin: unary((x) => P.asin(x)),
  Acos: unary((x) => P.acos(x)),
  Atan: unary((x) => P.atan(x)),
  Sinh: unary((x) => P.sinh(x)),
  Cosh: unary((x) => P.cosh(x)),
  Tanh: unary((x) => P.tanh(x)),
  Sigmoid: unary((x) => P.sigmoid(x)),
  Erf: unary((x) => P.erf(x)),
  IsNaN: unary((x) => P.isnan(x)),
  IsInf: (ctx) => {
    const x = input(ctx, 0);
    const pos = ctx.attrs.int('detect_positive', 1) === 1;
    const neg = ctx.attrs.int('detect_negative', 1) === 1;
    if (pos && neg) return P.isinf(x);
    if (!pos && !neg) return full(x.shape, false);
    return B.eq(x, pos ? Infinity : -Infinity);
  },

  Relu: unary((x) => P.relu(x)),
  LeakyRelu: (ctx) => P.leakyRelu(input(ctx, 0), ctx.attrs.float('alpha', 0.01)),
  Elu: (ctx) => P.elu(input(ctx, 0), ctx.attrs.float('alpha', 1)),
  Selu: (ctx) => {
    const alpha = ctx.attrs.float('alpha', 1.6732632423543772);
    const gamma = ctx.attrs.float('gamma', 1.0507009873554805);
    return P.elu(input(ctx, 0), alpha).mul(gamma);
  },
  Celu: (ctx) => {
    const alpha = ctx.attrs.float('alpha', 1);
    return P.elu(input(ctx, 0).div(alpha)).mul(alpha);
  },
  ThresholdedRelu: (ctx) => {
    const x = input(ctx, 0);
    return B.where(B.gt(x, ctx.attrs.float('alpha', 1)), x, 0);
  },
  PRelu: (ctx) => {
    const x = input(ctx, 0);
    let slope = input(ctx, 1);
    // Opset 6 and older slopes of shape [C] apply per channel (axis 1), as PyTorch's PReLU exports them.
    if (slope.ndim === 1 && x.ndim > 2 && slope.shape[0] === x.shape[1] && slope.shape[0] !== x.shape[x.ndim - 1])
      slope = slope.reshape([slope.shape[0]!, ...new Array<number>(x.ndim - 2).fill(1)]);
    return B.where(B.lt(x, 0), B.mul(x, slope), x);
  },
  Softsign: unary((x) => P.softsign(x)),
  Softplus: unary((x) => P.softplus(x)),
  HardSigmoid: (ctx) => {
    const alpha = ctx.attrs.float('alpha', 0.2);
    const beta = ctx.attrs.float('beta', 0.5);
    return P.clamp(input(ctx, 0).mul(alpha).add(beta), 0, 1);
  },
  HardSwish: unary((x) => P.hardswish(x)),
  Mish: unary((x) => P.mish(x)),
  Gelu: (ctx) => {
    const approximate = ctx.attrs.string('approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh')
      fail(ctx, `approximate must be none or tanh, got ${approximate}`);
    return P.gelu(input(ctx, 0), { approximate });
  },
  Clip: (ctx) => {
    const x = input(ctx, 0);
    let min: number | undefined;
    let max: number | undefined;
    if (ctx.opset < 11) {
      min = ctx.attrs.float('min', -Infinity);
      max = ctx.attrs.float('max', Infinity);
    } else {
      min = scalarInput(ctx, 1);
      max = scalarInput(ctx, 2);
    }
    if (min !== undefined && max !== undefined && min > max) {
      // ONNX (like numpy) sets every element to max when min > max.
      return full(x.shape, max, { dtype: x.dtype });
    }
    return P.clamp(x, min ?? null, max ?? null);
  },
  Shrink: (ctx) => {
    const x = input(ctx, 0);
    const bias = ctx.attrs.float('bias', 0);
    const lambd = ctx.attrs.float('lambd', 0.5);
    return B.where(B.lt(x, -lambd), x.add(bias), B.where(B.gt(x, lambd), x.sub(bias), 0));
  },
});
