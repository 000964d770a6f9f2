// Data-dependent shapes: nonzero, maskedSelect, maskedScatter, unique, bincount, histc, searchsorted —
// positions computed in plain arrays; values are gathered or scattered with differentiable ops, so
// gradients flow back.
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { fromTypedArray, zeros } from '../tensor/create.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { where } from './binary.js';

/** The indices [n, ndim] (int32) of the non-zero elements, in row-major order. */
export function nonzero(x: Tensor): Tensor {
  const v = x.contiguous().toTypedArray();
  const out: number[] = [];
  const coord = new Array<number>(x.ndim);
  let count = 0;
  for (let i = 0; i < v.length; i++) {
    if (!v[i]) continue;
    // Row-major coordinates of flat index i, last axis fastest.
    for (let d = x.ndim - 1, rest = i; d >= 0; d--) {
      coord[d] = rest % x.shape[d]!;
      rest = Math.floor(rest / x.shape[d]!);
    }
    out.push(...coord);
    count++;
  }
  return fromTypedArray(Int32Array.from(out), [count, x.ndim]);
}

/** The elements of x where mask (bool, broadcast together) is true, as a vector. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  if (mask.dtype !== 'bool') throw new DTypeError(`maskedSelect: mask must be a bool tensor, got ${mask.dtype}`);
  const shape = broadcastShapes('maskedSelect', x.shape, mask.shape);
  const m = mask.expand(shape).contiguous().toTypedArray();
  const idx: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i]) idx.push(i);
  return x
    .expand(shape)
    .reshape(-1)
    .indexSelect(0, fromTypedArray(Int32Array.from(idx), [idx.length]));
}

/**
 * x with the positions where mask (bool, broadcast to x's shape) is true filled, in row-major order,
 * by the first elements of source (PyTorch's masked_scatter). source needs at least as many
 * elements as the mask has true entries; gradients flow to x's kept elements and to the used
 * elements of source.
 */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  if (mask.dtype !== 'bool') throw new DTypeError(`maskedScatter: mask must be a bool tensor, got ${mask.dtype}`);
  if (!(source instanceof Tensor)) throw new DTypeError(`maskedScatter: source must be a tensor, got ${typeof source}`);
  const shape = broadcastShapes('maskedScatter', x.shape, mask.shape);
  if (shape.length !== x.ndim || shape.some((s, i) => s !== x.shape[i]))
    throw new ShapeError(
      `maskedScatter: the mask ${fmtShape(mask.shape)} must broadcast to x's shape ${fmtShape(x.shape)}`,
    );
  const full = mask.expand(shape);
  const m = full.contiguous().toTypedArray();
  const idx: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i]) idx.push(i);
  if (source.numel < idx.length)
    throw new ShapeError(
      `maskedScatter: the mask has ${idx.length} true entries but source ${fmtShape(source.shape)} only ${source.numel} elements`,
    );
  const values = source.to(x.dtype).reshape(-1).narrow(0, 0, idx.length);
  const placed = zeros([m.length], { dtype: x.dtype }).scatterAdd(
    0,
    fromTypedArray(Int32Array.from(idx), [idx.length]),
    values,
  );
  return where(full, placed.reshape(shape), x);
}

export interface UniqueResult {
  values: Tensor;
  /** For each input element, the index of its value in `values` (shape of the input). */
  inverse: Tensor;
  counts: Tensor;
}

/** The distinct values of x, sorted, with the inverse map and counts. */
export function unique(x: Tensor): UniqueResult {
  if (x.dtype === 'bool') throw new DTypeError('unique: convert bool tensors with .int() first');
  const v = Array.from(x.contiguous().toTypedArray() as ArrayLike<number>);
  const values = [...new Set(v)].sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
  const at = new Map(values.map((u, i) => [u, i]));
  const counts = new Int32Array(values.length);
  const inverse = Int32Array.from(v, (u) => {
    const i = at.get(u)!;
    counts[i]!++;
    return i;
  });
  const Arr = x.dtype === 'float64' ? Float64Array : x.dtype === 'int32' ? Int32Array : Float32Array;
  return {
    values: fromTypedArray(Arr.from(values), [values.length]),
    inverse: fromTypedArray(inverse, x.shape),
    counts: fromTypedArray(counts, [values.length]),
  };
}

/** Counts of each non-negative integer in x [N] (weighted sums with weights), length ≥ minlength. */
export function bincount(x: Tensor, options: { weights?: Tensor; minlength?: number } = {}): Tensor {
  if (x.dtype !== 'int32' || x.ndim !== 1)
    throw new DTypeError(`bincount: expected a 1-D int32 tensor, got ${x.dtype} ${fmtShape(x.shape)}`);
  const v = x.toTypedArray() as Int32Array;
  const bad = v.find((u) => u < 0);
  if (bad !== undefined) throw new ValueError(`bincount: values must be ≥ 0, got ${bad}`);
  const w = options.weights;
  if (w && (w.ndim !== 1 || w.shape[0] !== v.length))
    throw new ShapeError(`bincount: weights ${fmtShape(w.shape)} must match x ${fmtShape(x.shape)}`);
  const n = Math.max(options.minlength ?? 0, v.length ? Math.max(...v) + 1 : 0);
  const wv = w?.to('float64').toTypedArray();
  const out = w ? new Float64Array(n) : new Int32Array(n);
  v.forEach((u, i) => (out[u]! += wv ? wv[i]! : 1));
  return w ? fromTypedArray(w.dtype === 'float64' ? out : Float32Array.from(out), [n]) : fromTypedArray(out, [n]);
}

/** A histogram of x in `bins` equal bins over [min, max] (default: x's own range); values outside are ignored. */
export function histc(x: Tensor, bins = 100, min = 0, max = 0): Tensor {
  if (!Number.isInteger(bins) || bins < 1) throw new ValueError(`histc: bins must be a positive integer, got ${bins}`);
  const v = Array.from(x.contiguous().toTypedArray() as ArrayLike<number>);
  let lo = min,
    hi = max;
  if (lo === 0 && hi === 0 && v.length) {
    lo = Math.min(...v);
    hi = Math.max(...v);
  }
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  if (!(hi > lo)) throw new ValueError(`histc: max must be above min, got [${min}, ${max}]`);
  const out = new Float32Array(bins);
  for (const u of v) {
    if (!(u >= lo && u <= hi)) continue;
    out[Math.min(bins - 1, Math.floor(((u - lo) / (hi - lo)) * bins))]!++;
  }
  return fromTypedArray(x.dtype === 'float64' ? Float64Array.from(out) : out, [bins]);
}

/**
 * For each value, the index where it would be inserted into the sorted last axis of `sorted` to keep
 * it sorted: the first such place, or the last with { right: true }. int32, shape of values.
 */
export function searchsorted(sorted: Tensor, values: Tensor, options: { right?: boolean } = {}): Tensor {
  if (sorted.ndim < 1) throw new ShapeError('searchsorted: sorted must have at least one dimension');
  const M = sorted.shape[sorted.ndim - 1]!;
  const lead = sorted.shape.slice(0, -1);
  const batched = sorted.ndim > 1;
  if (batched && (values.ndim !== sorted.ndim || values.shape.slice(0, -1).some((d, i) => d !== lead[i])))
    throw new ShapeError(
      `searchsorted: values ${fmtShape(values.shape)} must share the leading dims of sorted ${fmtShape(sorted.shape)}`,
    );
  const s = sorted.contiguous().toTypedArray(),
    q = values.contiguous().toTypedArray();
  const K = batched ? values.shape[values.ndim - 1]! : q.length;
  const out = new Int32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const row = batched ? Math.floor(i / K) * M : 0;
    let a = 0,
      b = M;
    const t = q[i]!;
    while (a < b) {
      const mid = (a + b) >> 1;
      const v = s[row + mid]!;
      if (options.right ? v <= t : v < t) a = mid + 1;
      else b = mid;
    }
    out[i] = a;
  }
  return fromTypedArray(out, values.shape);
}
