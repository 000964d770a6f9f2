import type { UnaryOp } from '../backend/index.js';
import { record } from '../autograd/record.js';
import { isFloating } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { to } from './cast.js';
import { backend, clampBounds, empty, floatDType } from './util.js';

/** Runs a unary kernel into a fresh tensor of x's shape. */
export function mapUnary(kernel: UnaryOp, x: Tensor, p0?: number, p1?: number, dtype = x.dtype): Tensor {
  const out = empty(x.shape, dtype);
  backend().unary(kernel, x, out, p0, p1);
  return out;
}

/** Integer and bool inputs of floating-point functions compute in float32, as in PyTorch. */
function floatIn(x: Tensor): Tensor {
  return isFloating(x.dtype) ? x : to(x, floatDType(x.dtype));
}

export function neg(x: Tensor): Tensor {
  return record('neg', mapUnary('neg', x), [x], (g) => [neg(g)]);
}

export function abs(x: Tensor): Tensor {
  return record('abs', mapUnary('abs', x), [x], (g) => [g.mul(sign(x))], [x]);
}

/** -1, 0 or 1; its gradient is zero. */
export function sign(x: Tensor): Tensor {
  return record('sign', mapUnary('sign', x), [x], (g) => [g.zerosLike()]);
}

export function exp(x: Tensor): Tensor {
  x = floatIn(x);
  const out = mapUnary('exp', x);
  return record('exp', out, [x], (g) => [g.mul(out)], [out]);
}

export function log(x: Tensor): Tensor {
  x = floatIn(x);
  return record('log', mapUnary('log', x), [x], (g) => [g.div(x)], [x]);
}

export function log1p(x: Tensor): Tensor {
  x = floatIn(x);
  return record('log1p', mapUnary('log1p', x), [x], (g) => [g.div(x.add(1))], [x]);
}

export function sqrt(x: Tensor): Tensor {
  x = floatIn(x);
  const out = mapUnary('sqrt', x);
  return record('sqrt', out, [x], (g) => [g.div(out.mul(2))], [out]);
}

export function rsqrt(x: Tensor): Tensor {
  x = floatIn(x);
  const out = mapUnary('rsqrt', x);
  return record('rsqrt', out, [x], (g) => [g.mul(out.pow(3)).mul(-0.5)], [out]);
}

export function sin(x: Tensor): Tensor {
  x = floatIn(x);
  return record('sin', mapUnary('sin', x), [x], (g) => [g.mul(cos(x))], [x]);
}

export function cos(x: Tensor): Tensor {
  x = floatIn(x);
  return record('cos', mapUnary('cos', x), [x], (g) => [g.mul(sin(x)).neg()], [x]);
}

export function tanh(x: Tensor): Tensor {
  x = floatIn(x);
  const out = mapUnary('tanh', x);
  return record('tanh', out, [x], (g) => [g.mul(out.mul(out).rsub(1))], [out]);
}

export function sigmoid(x: Tensor): Tensor {
  x = floatIn(x);
  const out = mapUnary('sigmoid', x);
  return record('sigmoid', out, [x], (g) => [g.mul(out).mul(out.rsub(1))], [out]);
}

export function erf(x: Tensor): Tensor {
  x = floatIn(x);
  // d/dx erf(x) = 2/sqrt(pi) * exp(-x^2)
  return record(
    'erf',
    mapUnary('erf', x),
    [x],
    (g) => [
      g.mul(
        x
          .mul(x)
          .neg()
          .exp()
          .mul(2 / Math.sqrt(Math.PI)),
      ),
    ],
    [x],
  );
}

export function reciprocal(x: Tensor): Tensor {
  x = floatIn(x);
  const out = mapUnary('reciprocal', x);
  return record('reciprocal', out, [x], (g) => [g.mul(out.mul(out)).neg()], [out]);
}

export function square(x: Tensor): Tensor {
  return record('square', mapUnary('square', x), [x], (g) => [g.mul(x).mul(2)], [x]);
}

/** Rounding functions: piecewise constant, so their gradient is zero. */
function rounding(kernel: 'floor' | 'ceil' | 'round') {
  return (x: Tensor): Tensor => record(kernel, mapUnary(kernel, x), [x], (g) => [g.zerosLike()]);
}
export const floor = rounding('floor');
export const ceil = rounding('ceil');
export const round = rounding('round');

/** x ** exponent for a scalar exponent. */
export function powScalar(x: Tensor, exponent: number): Tensor {
  const out = mapUnary('powScalar', x, exponent);
  return record('pow', out, [x], (g) => [exponent === 0 ? g.zerosLike() : g.mul(x.pow(exponent - 1)).mul(exponent)], [
    x,
  ]);
}

/** base ** x for a scalar base. */
export function rpowScalar(base: number, x: Tensor): Tensor {
  x = floatIn(x);
  const out = mapUnary('rpowScalar', x, base);
  return record('pow', out, [x], (g) => [g.mul(out).mul(Math.log(base))], [out]);
}

/** Clamps into [min, max] (with min > max, every value becomes max, as PyTorch); either bound may be omitted. Gradient passes where min ≤ x ≤ max. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const [lo, hi] = clampBounds('clamp', min, max);
  const out = mapUnary('clamp', x, lo, hi);
  return record('clamp', out, [x], (g) => [g.mul(x.ge(lo).logicalAnd(x.le(hi)).to(g.dtype))], [x]);
}

export function isnan(x: Tensor): Tensor {
  return mapUnary('isnan', x, 0, 0, 'bool');
}

export function logicalNot(x: Tensor): Tensor {
  return mapUnary('logicalNot', x, 0, 0, 'bool');
}
