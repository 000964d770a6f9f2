import type { UnaryOp } from '../backend/index.js';
import { record } from '../autograd/record.js';
import { isFloating } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { to } from './cast.js';
import { backend, empty, floatDType } from './util.js';

// Powers with a scalar exponent or base: the fast paths of pow() (src/ops/binary.ts).

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
