import { numberArg, optionsArg } from '../check.js';
import { Tensor } from '../tensor/tensor.js';
import { binaryOps } from './binary-table.js';
import { asTensor } from './cast.js';
import { powScalar, rpowScalar } from './pow-scalar.js';
import { type TensorLike, promote } from './util.js';

// The arithmetic and comparison functions: entries of the binary op table (src/ops/binary-table.ts),
// with the extra forms of add, sub (alpha) and pow (a scalar exponent or base) in front of them.

export { where } from './where.js';
export const {
  mul,
  div,
  maximum,
  minimum,
  atan2,
  fmod,
  remainder,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  logicalAnd,
  logicalOr,
  logicalXor,
} = binaryOps;

/** `alpha` scales b first (PyTorch's add(a, b, alpha=…)); it is checked, and 1 costs nothing. */
function scaled(op: string, b: TensorLike, options: { alpha?: number } | undefined): TensorLike {
  const alpha = numberArg(op, 'alpha', optionsArg(op, options).alpha, 1);
  return alpha === 1 ? b : mul(b, alpha);
}

/** a + alpha·b, broadcasting. The method x.add(y, { alpha }) is this function. */
export function add(a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor {
  return binaryOps.add(a, options === undefined ? b : scaled('add', b, options));
}

/** a − alpha·b, broadcasting. */
export function sub(a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor {
  return binaryOps.sub(a, options === undefined ? b : scaled('sub', b, options));
}

/** b - a, for `1 - x` written as x.rsub(1). */
export function rsub(a: TensorLike, b: TensorLike): Tensor {
  return sub(b, a);
}

/** a ** b; a number exponent or base takes the one-operand kernels (and their simpler gradients). */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && !(b instanceof Tensor)) return powScalar(asTensor(a, promote(a, b)), Number(b));
  if (!(a instanceof Tensor) && b instanceof Tensor) return rpowScalar(Number(a), b);
  return binaryOps.pow(a, b);
}
