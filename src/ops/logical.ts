// Truth over tensors: any, all, isclose/allclose (NumPy's and PyTorch's tolerance rule), and
// nanToNum for replacing non-finite values.
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { where } from './binary.js';
import { type TensorLike } from './util.js';
import { asTensor } from './cast.js';

type Dims = number | readonly number[] | undefined;

/** True where any element (along dim, or overall) is non-zero; a bool tensor. */
export function any(x: Tensor, dim?: Dims, options: { keepdim?: boolean } = {}): Tensor {
  return x.ne(0).int().sum(dim, options).gt(0);
}

/** True where every element (along dim, or overall) is non-zero; a bool tensor. */
export function all(x: Tensor, dim?: Dims, options: { keepdim?: boolean } = {}): Tensor {
  return x.eq(0).int().sum(dim, options).eq(0);
}

export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Count NaN as equal to NaN (default false). */
  equalNan?: boolean;
}

/** |a − b| ≤ atol + rtol·|b| element-wise (infinities equal only to themselves); a bool tensor. */
export function isclose(a: Tensor, b: TensorLike, options: CloseOptions = {}): Tensor {
  const bt = asTensor(b, a.dtype);
  const rtol = options.rtol ?? 1e-5,
    atol = options.atol ?? 1e-8;
  if (!(rtol >= 0) || !(atol >= 0)) throw new ValueError(`isclose: rtol and atol must be ≥ 0, got ${rtol} and ${atol}`);
  if (a.dtype === 'bool' || bt.dtype === 'bool') return a.eq(bt);
  const x = a.to('float64'),
    y = bt.to('float64');
  const close = x.sub(y).abs().le(y.abs().mul(rtol).add(atol)).logicalOr(x.eq(y));
  return options.equalNan ? close.logicalOr(x.isnan().logicalAnd(y.isnan())) : close;
}

/** Whether every pair of elements is close (see isclose): a boolean. */
export function allclose(a: Tensor, b: TensorLike, options: CloseOptions = {}): boolean {
  return all(isclose(a, b, options)).item() !== 0;
}

export interface NanToNumOptions {
  nan?: number;
  /** Default: the largest finite value of the dtype. */
  posinf?: number;
  /** Default: the lowest finite value of the dtype. */
  neginf?: number;
}

const LARGEST = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE } as const;

/** NaN → nan (0), +∞ → posinf, −∞ → neginf; finite values (and their gradients) pass through. */
export function nanToNum(x: Tensor, options: NanToNumOptions = {}): Tensor {
  if (!isFloating(x.dtype)) return x.clone();
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new DTypeError(`nanToNum: unsupported dtype ${x.dtype}`);
  const big = LARGEST[x.dtype];
  const nan = options.nan ?? 0,
    pos = options.posinf ?? big,
    neg = options.neginf ?? -big;
  for (const [k, v] of Object.entries({ nan, posinf: pos, neginf: neg }))
    if (typeof v !== 'number' || Number.isNaN(v)) throw new ValueError(`nanToNum: ${k} must be a number, got ${v}`);
  let out = where(x.isnan(), nan, x);
  out = where(x.eq(Infinity), pos, out);
  return where(x.eq(-Infinity), neg, out);
}

/** Shape check shared by the batched products: both operands of the given ranks. */
export function requireRank(op: string, t: Tensor, rank: number, name: string): void {
  if (t.ndim !== rank) throw new ShapeError(`${op}: ${name} must have rank ${rank}, got ${fmtShape(t.shape)}`);
}
