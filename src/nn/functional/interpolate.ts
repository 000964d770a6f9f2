// Resizing along axes as index selections and weighted sums, so gradients flow through it.
// F.interpolate (PyTorch's nearest/linear/bilinear/trilinear) and ONNX's Resize share these.
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { fromTypedArray } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';

const ints = (v: number[]) => fromTypedArray(Int32Array.from(v), [v.length]);

/** Picks, for each output position, the input index `source(o)` (clamped to the axis). */
export function nearestAxis(x: Tensor, axis: number, outLen: number, source: (o: number) => number): Tensor {
  const inLen = x.shape[axis]!;
  const idx = Array.from({ length: outLen }, (_, o) => Math.min(Math.max(source(o), 0), inLen - 1));
  return x.indexSelect(axis, ints(idx));
}

/** Linear interpolation along one axis at the (clamped) input coordinates `source(o)`. */
export function linearAxis(x: Tensor, axis: number, outLen: number, source: (o: number) => number): Tensor {
  const inLen = x.shape[axis]!;
  const lo: number[] = [],
    hi: number[] = [],
    w: number[] = [];
  for (let o = 0; o < outLen; o++) {
    const c = Math.min(Math.max(source(o), 0), inLen - 1);
    const f = Math.floor(c);
    lo.push(f);
    hi.push(Math.min(f + 1, inLen - 1));
    w.push(c - f);
  }
  const shape = x.shape.map((_, k) => (k === axis ? outLen : 1));
  const weight = fromTypedArray(x.dtype === 'float64' ? Float64Array.from(w) : Float32Array.from(w), shape);
  const a = x.indexSelect(axis, ints(lo));
  const b = x.indexSelect(axis, ints(hi));
  return a.add(b.sub(a).mul(weight));
}

export interface InterpolateOptions {
  /** Output spatial size (one number for every spatial axis, or one per axis). */
  size?: number | readonly number[];
  /** Or a factor per spatial axis; the output length is ⌊in · factor⌋. */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (default), or 'linear' / 'bilinear' / 'trilinear' for inputs of rank 3 / 4 / 5. */
  mode?: 'nearest' | 'linear' | 'bilinear' | 'trilinear';
  /** Linear modes: align the corner pixels' centres (PyTorch's align_corners, default false). */
  alignCorners?: boolean;
}

const LINEAR_RANK = { linear: 3, bilinear: 4, trilinear: 5 } as const;

/**
 * F.interpolate as in PyTorch: resizes the spatial axes of [N, C, ...spatial] (1 to 3 of them).
 * 'nearest' takes input index ⌊o · in / out⌋; the linear modes use half-pixel centres (or the
 * corners with alignCorners). Differentiable.
 */
export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  const op = 'interpolate';
  const spatial = x.ndim - 2;
  if (spatial < 1 || spatial > 3)
    throw new ShapeError(`${op}: expected input [N, C, ...1 to 3 spatial axes], got ${fmtShape(x.shape)}`);
  if (!x.dtype.startsWith('float')) throw new ValueError(`${op}: expected a floating-point input, got ${x.dtype}`);
  const mode = options.mode ?? 'nearest';
  if (mode !== 'nearest' && LINEAR_RANK[mode] !== x.ndim)
    throw new ShapeError(`${op}: mode '${mode}' needs a rank-${LINEAR_RANK[mode]} input, got ${fmtShape(x.shape)}`);
  if (mode === 'nearest' && options.alignCorners !== undefined)
    throw new ValueError(`${op}: alignCorners only applies to the linear modes`);
  if ((options.size === undefined) === (options.scaleFactor === undefined))
    throw new ValueError(`${op}: give exactly one of size and scaleFactor`);
  const perAxis = (v: number | readonly number[], name: string) => {
    const list = typeof v === 'number' ? new Array<number>(spatial).fill(v) : [...v];
    if (list.length !== spatial)
      throw new ValueError(`${op}: ${name} has ${list.length} values for ${spatial} spatial axes`);
    return list;
  };
  const ins = x.shape.slice(2);
  // inverse: input pixels per output pixel, as PyTorch computes it (1 / scaleFactor when given).
  let outs: number[], inverse: number[];
  if (options.size !== undefined) {
    outs = perAxis(options.size, 'size');
    if (!outs.every((v) => Number.isInteger(v) && v > 0))
      throw new ValueError(`${op}: size must be positive integers, got ${JSON.stringify(options.size)}`);
    inverse = outs.map((o, i) => ins[i]! / o);
  } else {
    const scales = perAxis(options.scaleFactor!, 'scaleFactor');
    if (!scales.every((v) => Number.isFinite(v) && v > 0))
      throw new ValueError(`${op}: scaleFactor must be positive, got ${JSON.stringify(options.scaleFactor)}`);
    inverse = scales.map((s) => 1 / s);
    outs = scales.map((s, i) => Math.floor(ins[i]! * s));
    if (outs.some((v) => v === 0))
      throw new ValueError(`${op}: scaleFactor ${JSON.stringify(options.scaleFactor)} leaves an empty axis`);
  }
  let out = x;
  outs.forEach((outLen, i) => {
    const axis = i + 2,
      inLen = ins[i]!,
      inv = inverse[i]!;
    if (outLen === inLen && inv === 1) return;
    if (mode === 'nearest') out = nearestAxis(out, axis, outLen, (o) => Math.floor(o * inv));
    else if (options.alignCorners)
      out = linearAxis(out, axis, outLen, (o) => (outLen > 1 ? (o * (inLen - 1)) / (outLen - 1) : 0));
    else out = linearAxis(out, axis, outLen, (o) => (o + 0.5) * inv - 0.5);
  });
  return out;
}
