import type { PartialGrad } from '../autograd/node.js';
import { record } from '../autograd/record.js';
import { IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { inferShape, normalizeDim, viewStrides, numel, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backend, empty, restride } from './util.js';

// Views share storage with their input; their backward rules only reshape or place the gradient.

/** Same data, new shape; fails when the layout does not allow a view (use reshape). */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape('view', shape, x.numel, x.shape);
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides === null) {
    throw new ShapeError(
      `view: shape ${fmtShape(target)} is not compatible with the input's size ${fmtShape(x.shape)} and strides [${x.strides.join(', ')}] (at least one dim spans two non-contiguous runs); use reshape() instead`,
    );
  }
  const out = restride(x, target, strides, x.offset);
  return record('view', out, [x], (g) => [reshape(g, x.shape)]);
}

/** A view when the layout allows, else a contiguous copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape('reshape', shape, x.numel, x.shape);
  if (shapesEqual(target, x.shape)) return x;
  if (viewStrides(x.shape, x.strides, target) !== null) return view(x, target);
  return view(contiguous(x), target);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim),
    e = normalizeDim('flatten', endDim, x.ndim);
  if (s > e) throw new ValueError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim('unflatten', dim, x.ndim);
  const inner = inferShape('unflatten', sizes, x.shape[d]!, [x.shape[d]!]);
  return reshape(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim)
    throw new ShapeError(`permute: got ${dims.length} dims [${dims.join(', ')}] for a tensor of rank ${x.ndim}`);
  const perm = dims.map((d) => normalizeDim('permute', d, x.ndim));
  if (new Set(perm).size !== perm.length) throw new ValueError(`permute: dims [${dims.join(', ')}] repeat a dimension`);
  const out = restride(
    x,
    perm.map((d) => x.shape[d]!),
    perm.map((d) => x.strides[d]!),
    x.offset,
  );
  const inverse = new Array<number>(perm.length);
  perm.forEach((d, i) => (inverse[d] = i));
  return record('permute', out, [x], (g) => [permute(g, inverse)]);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim < 2 && dim0 === dim1) return x;
  const a = normalizeDim('transpose', dim0, x.ndim),
    b = normalizeDim('transpose', dim1, x.ndim);
  // Swapped copies of shape and strides (permute's general path costs ~5× this on every Linear call).
  const shape = x.shape.slice(),
    strides = x.strides.slice();
  shape[a] = x.shape[b]!;
  shape[b] = x.shape[a]!;
  strides[a] = x.strides[b]!;
  strides[b] = x.strides[a]!;
  const out = restride(x, shape, strides, x.offset);
  return record('permute', out, [x], (g) => [transpose(g, a, b)]);
}

/** Matrix transpose of a tensor of rank ≤ 2 (PyTorch's t()). */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2)
    throw new ShapeError(`t: expects a tensor of rank ≤ 2, got shape ${fmtShape(x.shape)}; use transpose(dim0, dim1)`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/** Broadcasts size-1 dims (and new leading dims) to `shape` without copying; -1 keeps a size. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.ndim)
    throw new ShapeError(`expand: the target ${fmtShape(shape)} has fewer dims than the input ${fmtShape(x.shape)}`);
  const lead = shape.length - x.ndim;
  const target = shape.map((s, i) => (s === -1 && i >= lead ? x.shape[i - lead]! : s));
  const strides = target.map((s, i) => {
    if (i < lead) {
      if (s < 0)
        throw new ShapeError(`expand: size ${s} is not allowed for the new leading dim ${i} in ${fmtShape(shape)}`);
      return 0;
    }
    const own = x.shape[i - lead]!;
    if (own === s) return x.strides[i - lead]!;
    if (own === 1 && s >= 0) return 0;
    throw new ShapeError(
      `expand: the input's size ${own} at dim ${i - lead} cannot expand to ${s} (target ${fmtShape(shape)}, input ${fmtShape(x.shape)}); only size-1 dims expand`,
    );
  });
  if (shapesEqual(target, x.shape)) return x;
  const out = restride(x, target, strides, x.offset);
  return record('expand', out, [x], (g) => [sumToShape(g, x.shape)]);
}

/** Sums a broadcast gradient back to the shape of the operand that was broadcast. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  const summed = dims.length > 0 ? g.sum(dims, { keepdim: true }) : g;
  return reshape(summed, shape);
}

export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims =
    dim === undefined
      ? x.shape.map((_, i) => i)
      : (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim('squeeze', d, x.ndim));
  const keep = x.shape.map((s, i) => !(s === 1 && dims.includes(i)));
  const shape = x.shape.filter((_, i) => keep[i]);
  if (shape.length === x.ndim) return x;
  const out = restride(
    x,
    shape,
    x.strides.filter((_, i) => keep[i]),
    x.offset,
  );
  return record('squeeze', out, [x], (g) => [reshape(g, x.shape)]);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape.slice(0, d), 1, ...x.shape.slice(d)];
  const inner = d < x.ndim ? x.strides[d]! * x.shape[d]! : 1;
  const strides = [...x.strides.slice(0, d), inner, ...x.strides.slice(d)];
  const out = restride(x, shape, strides, x.offset);
  return record('unsqueeze', out, [x], (g) => [reshape(g, x.shape)]);
}

/**
 * Python slice rules: negative bounds count from the end, bounds clamp to [0, size]; returns the
 * first index and the element count. Bounds must be integers (or null/undefined for the ends).
 */
function sliceRange(
  op: string,
  size: number,
  start: number | null | undefined,
  end: number | null | undefined,
  step: number,
) {
  if (!Number.isInteger(step) || step <= 0) throw new ValueError(`${op}: step must be a positive integer, got ${step}`);
  for (const [name, v] of [
    ['start', start],
    ['end', end],
  ] as const) {
    if (v != null && !Number.isInteger(v)) throw new ValueError(`${op}: ${name} must be an integer, got ${String(v)}`);
  }
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = start == null ? 0 : clampIndex(start);
  const e = end == null ? size : clampIndex(end);
  return { start: s, length: e > s ? Math.ceil((e - s) / step) : 0 };
}

/** Elements start ≤ i < end by step along dim (Python slice rules for negatives and clamping). */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  if (x.ndim === 0) throw new IndexError('slice: cannot slice a 0-d tensor');
  const d = normalizeDim('slice', dim, x.ndim);
  const { start: s, length } = sliceRange('slice', x.shape[d]!, start, end, step);
  const shape = [...x.shape];
  shape[d] = length;
  const strides = [...x.strides];
  strides[d] = x.strides[d]! * step;
  const out = restride(x, shape, strides, x.offset + s * x.strides[d]!);
  return record('slice', out, [x], (g, _needs, ctx) => {
    // Recorded (createGraph): a differentiable scatter. Otherwise a partial gradient the engine
    // adds into the region in place.
    if (ctx.createGraph) return [sliceScatter(empty(x.shape, g.dtype), g, d, s, s + length * step, step)];
    const partial: PartialGrad = {
      partial: true,
      materialize: () => {
        const full = empty(x.shape, g.dtype);
        backend().copy(g, noRecordSlice(full, d, s, s + length * step, step));
        return full;
      },
      addInto: (dense) => {
        noRecordSlice(dense, d, s, s + length * step, step).add_(g);
      },
    };
    return [partial];
  });
}

/** `length` elements from `start` along dim, as a view. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim('narrow', dim, x.ndim);
  const size = x.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new IndexError(
      `narrow: start ${start} and length ${length} are out of range for dim ${dim} of size ${size} (shape ${fmtShape(x.shape)})`,
    );
  }
  return slice(x, d, s, s + length);
}

/** The sub-tensor at `index` along dim, with that dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim('select', dim, x.ndim);
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new IndexError(
      `select: index ${index} is out of range for dim ${dim} of size ${size} (shape ${fmtShape(x.shape)})`,
    );
  }
  const i = index < 0 ? index + size : index;
  return squeeze(slice(x, d, i, i + 1), d);
}

/** A copy of `input` whose slice (dim, start:end:step, Python slice rules) is replaced by src. */
export function sliceScatter(
  input: Tensor,
  src: Tensor,
  dim: number,
  start?: number | null,
  end?: number | null,
  step = 1,
): Tensor {
  if (input.ndim === 0) throw new IndexError('sliceScatter: cannot slice a 0-d tensor');
  const d = normalizeDim('sliceScatter', dim, input.ndim);
  const range = sliceRange('sliceScatter', input.shape[d]!, start, end, step);
  const s = range.start,
    e = range.start + range.length * step;
  const out = contiguousCopy(input);
  const region = noRecordSlice(out, d, s, e, step);
  if (!shapesEqual(region.shape, src.shape)) {
    throw new ShapeError(
      `sliceScatter: src shape ${fmtShape(src.shape)} does not match the slice shape ${fmtShape(region.shape)} (input ${fmtShape(input.shape)}, dim ${dim}, start ${String(start)}, end ${String(end)}, step ${step})`,
    );
  }
  backend().copy(src, region);
  return record('sliceScatter', out, [input, src], (g, needs) => [
    needs[0] ? sliceScatter(g, empty(region.shape, g.dtype), d, s, e, step) : null,
    needs[1] ? slice(g, d, s, e, step) : null,
  ]);
}

function noRecordSlice(x: Tensor, dim: number, start: number, end: number, step: number): Tensor {
  const shape = [...x.shape];
  shape[dim] = end > start ? Math.ceil((end - start) / step) : 0;
  const strides = [...x.strides];
  strides[dim] = x.strides[dim]! * step;
  return restride(x, shape, strides, x.offset + start * x.strides[dim]!);
}

function contiguousCopy(x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  backend().copy(x, out);
  return out;
}

/** A contiguous tensor with the same values: x itself when already contiguous. */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  return record('contiguous', contiguousCopy(x), [x], (g) => [g]);
}

/** A copy that owns its memory; gradients flow through. */
export function clone(x: Tensor): Tensor {
  return record('clone', contiguousCopy(x), [x], (g) => [g]);
}

/** The same data, cut out of the graph. */
export function detach(x: Tensor): Tensor {
  return restride(x, x.shape, x.strides, x.offset);
}
