import { record } from '../autograd/record.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { normalizeDim, numel, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { to } from './cast.js';
import { backend, empty, promote, restride } from './util.js';
import { expand, narrow, reshape, unsqueeze } from './views.js';

// Ops that join, split, reorder or pad tensors.

/** Joins tensors along an existing dim; all other sizes must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('cat: expected a non-empty list of tensors');
  const first = tensors[0]!;
  if (first.ndim === 0) throw new ShapeError('cat: zero-dimensional tensors cannot be concatenated; use stack()');
  const d = normalizeDim('cat', dim, first.ndim);
  tensors.forEach((t, i) => {
    const ok = t.ndim === first.ndim && t.shape.every((s, k) => k === d || s === first.shape[k]);
    if (!ok)
      throw new ShapeError(
        `cat: tensor ${i} has shape ${fmtShape(t.shape)}, which does not match tensor 0's ${fmtShape(first.shape)} outside dim ${d}`,
      );
  });
  const dtype = promote(...tensors);
  const inputs = tensors.map((t) => to(t, dtype));
  const shape = [...first.shape];
  shape[d] = inputs.reduce((n, t) => n + t.shape[d]!, 0);
  const out = empty(shape, dtype);
  const starts: number[] = [];
  let start = 0;
  for (const t of inputs) {
    starts.push(start);
    const strides = out.strides;
    backend().copy(t, restride(out, t.shape, strides, start * strides[d]!));
    start += t.shape[d]!;
  }
  return record('cat', out, inputs, (g, needs) =>
    inputs.map((t, i) => (needs[i] ? narrow(g, d, starts[i]!, t.shape[d]!) : null)),
  );
}

/** Joins equally shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('stack: expected a non-empty list of tensors');
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    if (!shapesEqual(t.shape, first.shape))
      throw new ShapeError(
        `stack: tensor ${i} has shape ${fmtShape(t.shape)}, expected ${fmtShape(first.shape)} like tensor 0`,
      );
  });
  const d = normalizeDim('stack', dim, first.ndim + 1);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/** Views of consecutive pieces along dim: of `size` each (the last may be smaller), or of the listed sizes. */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim('split', dim, x.ndim);
  const total = x.shape[d]!;
  let list: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0)
      throw new ValueError(`split: split size must be a positive integer, got ${sizes}`);
    list = [];
    for (let s = 0; s < total; s += sizes) list.push(Math.min(sizes, total - s));
    if (total === 0) list.push(0);
  } else {
    list = [...sizes];
    const sum = list.reduce((a, b) => a + b, 0);
    if (list.some((s) => !Number.isInteger(s) || s < 0) || sum !== total) {
      throw new ShapeError(
        `split: sizes [${list.join(', ')}] must be non-negative and sum to ${total}, the size of dim ${dim} (shape ${fmtShape(x.shape)})`,
      );
    }
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const s of list) {
    out.push(narrow(x, d, start, s));
    start += s;
  }
  return out;
}

/** At most `chunks` views of equal size (the last may be smaller), as PyTorch's chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new ValueError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim('chunk', dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}

/** Reverses the order of elements along the given dims (a copy, as in PyTorch). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const list = (typeof dims === 'number' ? [dims] : dims).map((d) => normalizeDim('flip', d, x.ndim));
  let offset = x.offset;
  const strides = [...x.strides];
  for (const d of new Set(list)) {
    if (x.shape[d]! > 0) offset += (x.shape[d]! - 1) * x.strides[d]!;
    strides[d] = -x.strides[d]!;
  }
  const out = empty(x.shape, x.dtype);
  backend().copy(restride(x, x.shape, strides, offset), out);
  return record('flip', out, [x], (g) => [flip(g, list)]);
}

/**
 * Constant padding. `pads` lists (before, after) pairs starting from the last dim, as PyTorch's
 * F.pad: [left, right] pads the last dim, [left, right, top, bottom] the last two. Negative pads crop.
 */
export function pad(x: Tensor, pads: readonly number[], options: { mode?: 'constant'; value?: number } = {}): Tensor {
  if ((options.mode ?? 'constant') !== 'constant')
    throw new ValueError(`pad: only mode 'constant' is supported here, got '${options.mode}'`);
  if (pads.length % 2 !== 0 || pads.length / 2 > x.ndim || pads.some((p) => !Number.isInteger(p))) {
    throw new ValueError(
      `pad: pads must be an even number of integers, at most 2 per dim (got [${pads.join(', ')}] for shape ${fmtShape(x.shape)})`,
    );
  }
  const before = x.shape.map(() => 0),
    after = x.shape.map(() => 0);
  for (let i = 0; i < pads.length / 2; i++) {
    before[x.ndim - 1 - i] = pads[2 * i]!;
    after[x.ndim - 1 - i] = pads[2 * i + 1]!;
  }
  const shape = x.shape.map((s, d) => s + before[d]! + after[d]!);
  if (shape.some((s) => s < 0))
    throw new ShapeError(`pad: pads [${pads.join(', ')}] crop more than the input's shape ${fmtShape(x.shape)} holds`);
  const out = empty(shape, x.dtype);
  const value = options.value ?? 0;
  if (value !== 0) backend().fill(out, value);
  // Copy the part of x that survives cropping into its place in out.
  const srcStart = before.map((b) => Math.max(0, -b)),
    dstStart = before.map((b) => Math.max(0, b));
  const region = x.shape.map((s, d) => Math.max(0, s - srcStart[d]! - Math.max(0, -after[d]!)));
  if (numel(region) > 0) {
    const src = restride(x, region, x.strides, x.offset + srcStart.reduce((o, s, d) => o + s * x.strides[d]!, 0));
    const dst = restride(
      out,
      region,
      out.strides,
      dstStart.reduce((o, s, d) => o + s * out.strides[d]!, 0),
    );
    backend().copy(src, dst);
  }
  return record('pad', out, [x], (g) => [
    pad(
      g,
      pads.map((p) => -p),
    ),
  ]);
}

/** Tiles the tensor: output size along dim i is size_i × repeats_i (PyTorch's repeat). */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.ndim)
    throw new ShapeError(
      `repeat: got ${repeats.length} repeats for a tensor of rank ${x.ndim}; need at least one per dim`,
    );
  if (repeats.some((r) => !Number.isInteger(r) || r < 0))
    throw new ValueError(`repeat: repeats must be non-negative integers, got [${repeats.join(', ')}]`);
  const shape = [...repeats.slice(0, repeats.length - x.ndim).map(() => 1), ...x.shape];
  // View as [1, s0, 1, s1, ...], expand to [r0, s0, r1, s1, ...] and fold the pairs.
  const interleaved = shape.flatMap((s) => [1, s]);
  const expanded = shape.flatMap((s, i) => [repeats[i]!, s]);
  return reshape(
    expand(reshape(x, interleaved), expanded).contiguous(),
    shape.map((s, i) => s * repeats[i]!),
  );
}
