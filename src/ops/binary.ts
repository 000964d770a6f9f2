import type { BinaryOp } from '../backend/index.js';
import { record } from '../autograd/record.js';
import { numberArg, optionsArg } from '../check.js';
import { DTypeError } from '../errors.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { asTensor } from './cast.js';
import { powScalar, rpowScalar } from './pow-scalar.js';
import { type TensorLike, backend, broadcastView, empty, promote } from './util.js';
import { sumToShape } from './views.js';

/** Converts both operands to `dtype` and runs the kernel over their broadcast shape. */
function elementwise(op: string, kernel: BinaryOp, a: Tensor, b: Tensor, outDType: DType): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = empty(shape, outDType);
  backend().binary(kernel, broadcastView(a, shape), broadcastView(b, shape), out);
  return out;
}

function operands(a: TensorLike, b: TensorLike, dtype: DType): [Tensor, Tensor] {
  return [asTensor(a, dtype), asTensor(b, dtype)];
}

/** `alpha` scales b first (PyTorch's add(a, b, alpha=…)); it is checked, and 1 costs nothing. */
function scaled(op: string, b: TensorLike, options: { alpha?: number } | undefined): TensorLike {
  const alpha = numberArg(op, 'alpha', optionsArg(op, options).alpha, 1);
  return alpha === 1 ? b : mul(b, alpha);
}

/** a + alpha·b, broadcasting. The method x.add(y, { alpha }) is this function. */
export function add(a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor {
  if (options !== undefined) b = scaled('add', b, options);
  const [x, y] = operands(a, b, promote(a, b));
  const out = elementwise('add', 'add', x, y, x.dtype);
  return record('add', out, [x, y], (g, needs) => [
    needs[0] ? sumToShape(g, x.shape) : null,
    needs[1] ? sumToShape(g, y.shape) : null,
  ]);
}

/** a − alpha·b, broadcasting. */
export function sub(a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor {
  if (options !== undefined) b = scaled('sub', b, options);
  const dtype = promote(a, b);
  if (dtype === 'bool') throw new DTypeError('sub: subtraction of two bool tensors is not supported; use logicalXor()');
  const [x, y] = operands(a, b, dtype);
  const out = elementwise('sub', 'sub', x, y, dtype);
  return record('sub', out, [x, y], (g, needs) => [
    needs[0] ? sumToShape(g, x.shape) : null,
    needs[1] ? sumToShape(g.neg(), y.shape) : null,
  ]);
}

/** b - a, for `1 - x` written as x.rsub(1). */
export function rsub(a: TensorLike, b: TensorLike): Tensor {
  return sub(b, a);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, promote(a, b));
  const out = elementwise('mul', 'mul', x, y, x.dtype);
  return record(
    'mul',
    out,
    [x, y],
    (g, needs) => [needs[0] ? sumToShape(g.mul(y), x.shape) : null, needs[1] ? sumToShape(g.mul(x), y.shape) : null],
    [x, y],
  );
}

/** True division: integer operands give a float32 result, as in PyTorch. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  let dtype = promote(a, b);
  if (!isFloating(dtype)) dtype = 'float32';
  const [x, y] = operands(a, b, dtype);
  const out = elementwise('div', 'div', x, y, dtype);
  return record(
    'div',
    out,
    [x, y],
    (g, needs) => [
      needs[0] ? sumToShape(g.div(y), x.shape) : null,
      needs[1] ? sumToShape(g.mul(x).div(y.mul(y)).neg(), y.shape) : null,
    ],
    [x, y],
  );
}

export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && !(b instanceof Tensor)) {
    const dtype = promote(a, b);
    return powScalar(asTensor(a, dtype), Number(b));
  }
  if (!(a instanceof Tensor) && b instanceof Tensor) return rpowScalar(Number(a), b);
  const [x, y] = operands(a, b, promote(a, b));
  const out = elementwise('pow', 'pow', x, y, x.dtype);
  return record(
    'pow',
    out,
    [x, y],
    (g, needs) => [
      needs[0] ? sumToShape(g.mul(y).mul(x.pow(y.sub(1))), x.shape) : null,
      // d/dy x^y = x^y log x, taken as 0 where x = 0 and y ≥ 0 (PyTorch's convention)
      needs[1] ? sumToShape(where(x.eq(0).logicalAnd(y.ge(0)), 0, g.mul(out).mul(x.log())), y.shape) : null,
    ],
    [x, y, out],
  );
}

/** Elementwise max; on ties each input gets half the gradient (PyTorch's rule). */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('maximum', a, b);
}

export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('minimum', a, b);
}

function extremum(op: 'maximum' | 'minimum', a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, promote(a, b));
  const out = elementwise(op, op, x, y, x.dtype);
  return record(
    op,
    out,
    [x, y],
    (g, needs) => {
      const wins = op === 'maximum' ? x.gt(y) : x.lt(y);
      const share = where(x.eq(y), 0.5, where(wins, 1, 0)).to(g.dtype);
      return [
        needs[0] ? sumToShape(g.mul(share), x.shape) : null,
        needs[1] ? sumToShape(g.mul(share.rsub(1)), y.shape) : null,
      ];
    },
    [x, y],
  );
}

/** Comparisons and logical ops give bool tensors and carry no gradient. */
function boolResult(kernel: BinaryOp) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const [x, y] = operands(a, b, promote(a, b));
    return elementwise(kernel, kernel, x, y, 'bool');
  };
}
export const eq = boolResult('eq');
export const ne = boolResult('ne');
export const lt = boolResult('lt');
export const le = boolResult('le');
export const gt = boolResult('gt');
export const ge = boolResult('ge');
export const logicalAnd = boolResult('logicalAnd');
export const logicalOr = boolResult('logicalOr');
export const logicalXor = boolResult('logicalXor');

/** cond ? a : b elementwise, broadcasting all three; cond must be bool. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool')
    throw new DTypeError(`where: the condition must be a bool tensor, got dtype ${cond.dtype}`);
  const [x, y] = operands(a, b, promote(a, b));
  const shape = broadcastShapes('where', cond.shape, x.shape, y.shape);
  const out = empty(shape, x.dtype);
  backend().where(broadcastView(cond, shape), broadcastView(x, shape), broadcastView(y, shape), out);
  return record('where', out, [x, y], (g, needs) => [
    needs[0] ? sumToShape(where(cond, g, 0), x.shape) : null,
    needs[1] ? sumToShape(where(cond, 0, g), y.shape) : null,
  ]);
}
