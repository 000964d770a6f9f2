import { getBackend, type View } from '../backend/index.js';
import { type DType, type TypedArray, allocArray, isFloating, resultType, scalarDType } from '../tensor/dtype.js';
import { recordAllocation } from '../tensor/scope.js';
import { smallArray } from '../tensor/small-arrays.js';
import { type Shape, broadcastStrides, contiguousStrides, numel } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';
import { DTypeError, ValueError } from '../errors.js';

/** What ops accept where PyTorch accepts a tensor or a Python scalar. */
export type TensorLike = Tensor | number | boolean;

export const backend = getBackend;

/**
 * A fresh zero-filled contiguous tensor for a kernel to write: in the memory of the backend in use
 * (a device backend allocates its own; CPU backends take a typed array, which starts at 0).
 */
export function empty(shape: Shape, dtype: DType): Tensor {
  const b = backend();
  const n = numel(shape);
  const storage = b.allocate ? b.allocate(dtype, n) : hostStorage(smallArray(dtype, n) ?? allocArray(dtype, n));
  return new Tensor(storage, shape, contiguousStrides(shape), 0, dtype);
}

/** A fresh zero-filled contiguous tensor in host memory, for ops that fill it from JS. */
export function hostEmpty(shape: Shape, dtype: DType): Tensor {
  return new Tensor(hostStorage(allocArray(dtype, numel(shape))), shape, contiguousStrides(shape), 0, dtype);
}

/** A storage over an array an op just allocated: `ax.tidy` may free it, its array then reused. */
function hostStorage(data: TypedArray): Storage {
  const s = new Storage(data);
  s.ownsArray = true;
  recordAllocation(s);
  return s;
}

/** A tensor sharing t's storage with another layout. No autograd: callers record their own rule. */
export function restride(t: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  return new Tensor(t.storage, shape, strides, offset, t.dtype);
}

/** t read as if broadcast to `shape` (stride 0 on broadcast dims). */
export function broadcastView(t: Tensor, shape: Shape): View {
  return restride(t, shape, broadcastStrides(t.shape, t.strides, shape), t.offset);
}

export function scalarTensor(value: number | boolean, dtype: DType): Tensor {
  const t = hostEmpty([], dtype);
  t.data[0] = typeof value === 'boolean' ? Number(value) : value;
  return t;
}

export function operandInfo(x: TensorLike): { dtype: DType; rank: number; scalar?: boolean } {
  return x instanceof Tensor
    ? { dtype: x.dtype, rank: x.shape.length }
    : { dtype: scalarDType(x), rank: 0, scalar: true };
}

/** The promoted dtype of a set of operands, PyTorch's rules. */
export function promote(...xs: TensorLike[]): DType {
  // The usual case, tensors of one dtype, without building the operand list.
  const first = xs[0];
  if (first instanceof Tensor) {
    let same = true;
    for (const x of xs) if (!(x instanceof Tensor) || x.dtype !== first.dtype) same = false;
    if (same) return first.dtype;
  }
  return resultType(xs.map(operandInfo));
}

/** The dtype a floating-point op computes in: the input's if floating, else float32. */
export function floatDType(dtype: DType): DType {
  return isFloating(dtype) ? dtype : 'float32';
}

export function requireFloat(op: string, t: Tensor): void {
  if (!isFloating(t.dtype)) throw new DTypeError(`${op}: expected a floating-point tensor, got dtype ${t.dtype}`);
}

/** Checks clamp's bounds (numbers, null or undefined; not NaN) and fills in the missing ones. */
export function clampBounds(op: string, min: unknown, max: unknown): [number, number] {
  for (const [name, v] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (v != null && (typeof v !== 'number' || Number.isNaN(v))) {
      throw new ValueError(
        `${op}: ${name} must be a number, null or undefined, got ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
      );
    }
  }
  return [(min as number | null | undefined) ?? -Infinity, (max as number | null | undefined) ?? Infinity];
}
