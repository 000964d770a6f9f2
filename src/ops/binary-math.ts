// Two-operand math without a backend kernel: atan2, fmod, remainder (computed element by element in
// plain arrays over the broadcast shape; their gradients are tensor ops), and lerp (composite).
import { record } from '../autograd/record.js';
import { DTypeError, ValueError } from '../errors.js';
import { fromTypedArray } from '../tensor/create.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { asTensor } from './cast.js';
import { type TensorLike, floatDType, promote } from './util.js';
import { sumToShape } from './views.js';

const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;

/** f over the broadcast operands, in the promoted dtype (floating when `float`). */
function pointwise2(
  op: string,
  a: TensorLike,
  b: TensorLike,
  f: (x: number, y: number) => number,
  float: boolean,
): { out: Tensor; x: Tensor; y: Tensor } {
  let dtype: DType = promote(a, b);
  if (dtype === 'bool') throw new DTypeError(`${op}: bool operands are not supported`);
  if (float) dtype = floatDType(dtype);
  const x = asTensor(a, dtype),
    y = asTensor(b, dtype);
  const shape = broadcastShapes(op, x.shape, y.shape);
  const xs = x.expand(shape).contiguous().toTypedArray(),
    ys = y.expand(shape).contiguous().toTypedArray();
  const Arr = ARRAYS[dtype as keyof typeof ARRAYS];
  if (!Arr) throw new DTypeError(`${op}: unsupported dtype ${dtype}`);
  const out = new Arr(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = f(xs[i]!, ys[i]!);
  return { out: fromTypedArray(out, shape), x, y };
}

/** The angle of the point (x, y) in (−π, π], element-wise: atan2(y, x). */
export function atan2(y: TensorLike, x: TensorLike): Tensor {
  const { out, x: a, y: b } = pointwise2('atan2', y, x, Math.atan2, true);
  // a is y, b is x here: ∂/∂y = x / (x² + y²), ∂/∂x = −y / (x² + y²).
  return record('atan2', out, [a, b], (g, needs) => {
    const r2 = a.square().add(b.square());
    return [
      needs[0] ? sumToShape(g.mul(b).div(r2), a.shape) : null,
      needs[1] ? sumToShape(g.mul(a).neg().div(r2), b.shape) : null,
    ];
  });
}

function integerDivisor(op: string, b: Tensor): void {
  if (!isFloating(b.dtype) && b.eq(0).int().sum().item() > 0) throw new ValueError(`${op}: integer division by zero`);
}

const truncate = (t: Tensor) => t.abs().floor().mul(t.sign());

/** C's fmod: a − b·trunc(a / b), the sign of the dividend. */
export function fmod(a: TensorLike, b: TensorLike): Tensor {
  const { out, x, y } = pointwise2('fmod', a, b, (p, q) => p % q, false);
  integerDivisor('fmod', y);
  if (!isFloating(out.dtype)) return out;
  return record('fmod', out, [x, y], (g, needs) => [
    needs[0] ? sumToShape(g, x.shape) : null,
    needs[1] ? sumToShape(g.mul(truncate(x.div(y))).neg(), y.shape) : null,
  ]);
}

/** Python's modulo: a − b·floor(a / b), the sign of the divisor. */
export function remainder(a: TensorLike, b: TensorLike): Tensor {
  const { out, x, y } = pointwise2('remainder', a, b, (p, q) => p - q * Math.floor(p / q), false);
  integerDivisor('remainder', y);
  if (!isFloating(out.dtype)) return out;
  return record('remainder', out, [x, y], (g, needs) => [
    needs[0] ? sumToShape(g, x.shape) : null,
    needs[1] ? sumToShape(g.mul(x.div(y).floor()).neg(), y.shape) : null,
  ]);
}

/** start + weight · (end − start); weight a number or a tensor. */
export function lerp(start: Tensor, end: TensorLike, weight: TensorLike): Tensor {
  if (!isFloating(start.dtype)) throw new DTypeError(`lerp: expected floating-point tensors, got ${start.dtype}`);
  return start.add(asTensor(end, start.dtype).sub(start).mul(weight));
}
