import { IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue; // a size-1 dim's stride never matters
    if (strides[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Wraps a possibly negative dim into [0, rank); rank 0 accepts dims -1 and 0 as PyTorch does. */
export function normalizeDim(op: string, dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new IndexError(`${op}: dim ${dim} is out of range for a tensor of rank ${rank} (expected ${-r} to ${r - 1})`);
  }
  return dim < 0 ? dim + r : dim;
}

/** Normalises a dim list (or all dims when undefined), sorted, without repeats. */
export function normalizeDims(op: string, dims: number | readonly number[] | undefined, rank: number): number[] {
  if (dims === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const out = list.map((d) => normalizeDim(op, d, rank));
  if (new Set(out).size !== out.length) throw new ValueError(`${op}: dim ${list.join(', ')} repeats a dimension`);
  return out.sort((a, b) => a - b);
}

/** NumPy/PyTorch broadcasting: align on the right, sizes equal or 1. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) out[i] = 1;
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const o = rank - shape.length + i;
      const s = shape[i]!;
      if (s === out[o] || s === 1) continue;
      if (out[o] === 1) out[o] = s;
      else
        throw new ShapeError(
          `${op}: shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together (dim ${o - rank}: ${out[o]} vs ${s})`,
        );
    }
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if it had the broadcast shape `target`. */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[lead + i] = shape[i] === 1 ? 0 : strides[i]!;
  return out;
}

export function checkShape(op: string, shape: readonly number[]): number[] {
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0)
      throw new ValueError(`${op}: invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`);
  }
  return [...shape];
}

/** Resolves a single -1 in a requested shape against a number of elements. */
export function inferShape(op: string, requested: readonly number[], total: number, from: Shape): number[] {
  let infer = -1;
  let known = 1;
  requested.forEach((s, i) => {
    if (s === -1) {
      if (infer >= 0) throw new ValueError(`${op}: only one dimension can be -1, got ${fmtShape(requested)}`);
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new ValueError(`${op}: invalid size ${s} in ${fmtShape(requested)}`);
    } else known *= s;
  });
  const out = [...requested];
  if (infer >= 0) {
    if (known === 0 || total % known !== 0)
      throw new ShapeError(
        `${op}: shape ${fmtShape(requested)} is invalid for input of shape ${fmtShape(from)} (${total} elements)`,
      );
    out[infer] = total / known;
  } else if (known !== total) {
    throw new ShapeError(
      `${op}: shape ${fmtShape(requested)} is invalid for input of shape ${fmtShape(from)} (${total} elements)`,
    );
  }
  return out;
}

/**
 * Strides that let a tensor be viewed with a new shape without copying, or null when its memory
 * layout does not allow it (PyTorch's rule: each run of merged dims must be contiguous in itself).
 */
export function viewStrides(oldShape: Shape, oldStrides: readonly number[], newShape: Shape): number[] | null {
  if (numel(oldShape) <= 1) return contiguousStrides(newShape); // strides of size-1 dims never matter
  const newStrides = new Array<number>(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    // A chunk ends where the old dims stop being contiguous with each other.
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}
