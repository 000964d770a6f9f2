// Sorting and selection along an axis: sort, argsort, topk, kthvalue, median, mode. The order is found in
// plain arrays (NaN sorts above every number, as PyTorch's); the values are then gathered from the
// input, so gradients flow to the elements that were picked.
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { normalizeDim } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { gather } from './indexing.js';
import { fromRows, rowsOf } from './rows.js';

/** Ascending with NaN last; ties keep their order (Array.prototype.sort is stable). */
function ascending(a: number, b: number): number {
  const an = Number.isNaN(a),
    bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a - b;
}

/** For each row along dim, the first `k` positions of the order (descending: largest first). */
function order(op: string, x: Tensor, dim: number, descending: boolean, k?: number): { indices: Tensor; d: number } {
  if (x.dtype === 'bool') throw new ValueError(`${op}: bool tensors cannot be ordered; convert with .int() first`);
  const d = x.ndim === 0 ? 0 : normalizeDim(op, dim, x.ndim);
  const { data, n, rows, moved } = rowsOf(x, d);
  const take = k ?? n;
  const out = new Int32Array(rows * take);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const row = idx.slice();
    row.sort((i, j) =>
      descending ? ascending(data[base + j]!, data[base + i]!) : ascending(data[base + i]!, data[base + j]!),
    );
    for (let i = 0; i < take; i++) out[r * take + i] = row[i]!;
  }
  return { indices: fromRows(out, moved, d, take), d };
}

export interface SortOptions {
  descending?: boolean;
}

/** Values and int32 indices sorted along dim (default the last), stable: [values, indices]. */
export function sort(x: Tensor, dim = -1, options: SortOptions = {}): [Tensor, Tensor] {
  const { indices, d } = order('sort', x, dim, options.descending ?? false);
  return [x.ndim === 0 ? x.clone() : gather(x, d, indices), indices];
}

/** The int32 indices that sort x along dim. */
export function argsort(x: Tensor, dim = -1, options: SortOptions = {}): Tensor {
  return order('argsort', x, dim, options.descending ?? false).indices;
}

export interface TopkOptions {
  /** The k largest (default) or smallest. */
  largest?: boolean;
}

/** The k largest (or smallest) values along dim and their indices, in order: [values, indices]. */
export function topk(x: Tensor, k: number, dim = -1, options: TopkOptions = {}): [Tensor, Tensor] {
  const d = x.ndim === 0 ? 0 : normalizeDim('topk', dim, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new ValueError(`topk: k must be an integer in [0, ${n}] for dim ${d} of ${fmtShape(x.shape)}, got ${k}`);
  const { indices } = order('topk', x, d, options.largest ?? true, k);
  return [x.ndim === 0 ? x.clone() : gather(x, d, indices), indices];
}

export interface KeepdimOptions {
  keepdim?: boolean;
}

/** The k-th smallest value (k from 1) along dim and its index: [values, indices]. */
export function kthvalue(x: Tensor, k: number, dim = -1, options: KeepdimOptions = {}): [Tensor, Tensor] {
  const d = x.ndim === 0 ? 0 : normalizeDim('kthvalue', dim, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new ValueError(`kthvalue: k must be an integer in [1, ${n}] for dim ${d} of ${fmtShape(x.shape)}, got ${k}`);
  return pick('kthvalue', x, d, k - 1, options.keepdim ?? false);
}

function pick(op: string, x: Tensor, d: number, position: number, keepdim: boolean): [Tensor, Tensor] {
  if (x.ndim === 0) return [x.clone(), x.zerosLike().int()];
  const { indices } = order(op, x, d, false);
  const at = indices.narrow(d, position, 1).contiguous();
  const values = gather(x, d, at);
  return keepdim ? [values, at] : [values.squeeze(d), at.squeeze(d)];
}

/**
 * The median: of all elements (a scalar) without dim, or along dim with its index ([values,
 * indices]). For an even count it is the lower of the two middle values, as PyTorch's.
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, options?: KeepdimOptions): [Tensor, Tensor];
export function median(x: Tensor, dim?: number, options: KeepdimOptions = {}): Tensor | [Tensor, Tensor] {
  if (dim === undefined) {
    if (x.numel === 0) throw new ShapeError('median: the input is empty');
    const flat = x.flatten();
    return pick('median', flat, 0, Math.floor((flat.numel - 1) / 2), false)[0];
  }
  const d = x.ndim === 0 ? 0 : normalizeDim('median', dim, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (n === 0) throw new ShapeError(`median: dim ${d} of ${fmtShape(x.shape)} is empty`);
  return pick('median', x, d, Math.floor((n - 1) / 2), options.keepdim ?? false);
}

/**
 * The most frequent value along dim and its index, as PyTorch's: [values, indices]. Ties go to the
 * smallest value, the index is that value's last occurrence, and NaNs count as one value (sorted
 * above every number). The value is gathered from x, so its gradient flows to that element.
 */
export function mode(x: Tensor, dim = -1, options: KeepdimOptions = {}): [Tensor, Tensor] {
  if (x.dtype === 'bool') throw new ValueError('mode: bool tensors cannot be ordered; convert with .int() first');
  const d = x.ndim === 0 ? 0 : normalizeDim('mode', dim, x.ndim);
  if (x.ndim === 0) return [x.clone(), x.zerosLike().int()];
  const { data, n, rows, moved } = rowsOf(x, d);
  if (n === 0) throw new ShapeError(`mode: dim ${d} of ${fmtShape(x.shape)} is empty`);
  const at = new Int32Array(rows);
  const idx = Array.from({ length: n }, (_, i) => i);
  const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const row = idx.slice().sort((i, j) => ascending(data[base + i]!, data[base + j]!));
    // Runs of equal values in ascending order: the first longest run wins; within it, the last index.
    let best = 0,
      bestAt = 0;
    for (let i = 0; i < n;) {
      let j = i,
        last = row[i]!;
      while (j < n && same(data[base + row[j]!]!, data[base + row[i]!]!)) last = Math.max(last, row[j++]!);
      if (j - i > best) [best, bestAt] = [j - i, last];
      i = j;
    }
    at[r] = bestAt;
  }
  const indices = fromRows(at, moved, d, 1);
  const values = gather(x, d, indices);
  return options.keepdim ? [values, indices] : [values.squeeze(d), indices.squeeze(d)];
}
