// Working along one axis row by row in plain typed arrays, for ops whose forward is a per-row
// algorithm (sorting, selection, scans) rather than a kernel: the axis is moved last, each row is
// handed over as a contiguous slice, and the result is moved back.
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';

/** x with `dim` moved last and made contiguous, and the row length. */
export function rowsOf(x: Tensor, dim: number): { data: ArrayLike<number>; n: number; rows: number; moved: Tensor } {
  const moved = (dim === x.ndim - 1 ? x : x.transpose(dim, x.ndim - 1)).contiguous();
  const n = x.ndim === 0 ? 1 : x.shape[dim]!;
  const data = moved.toTypedArray() as ArrayLike<number>;
  return { data, n, rows: n === 0 ? 0 : data.length / n, moved };
}

/** A tensor built in the moved layout ([..., n'] with `dim` last), moved back to `dim`. */
export function fromRows(
  values: Int32Array | Float32Array | Float64Array,
  moved: Tensor,
  dim: number,
  n: number,
): Tensor {
  const shape = [...moved.shape.slice(0, -1), n];
  const t = fromTypedArray(values, moved.ndim === 0 ? [] : shape);
  return dim === t.ndim - 1 || t.ndim === 0 ? t : t.transpose(dim, t.ndim - 1).contiguous();
}
