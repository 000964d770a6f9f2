// ONNX ops that move, reshape, select and combine elements, and the constants and shape arithmetic
// exporters emit around them.
import * as B from '../../ops/binary.js';
import { to } from '../../ops/cast.js';
import { cat, flip, pad, repeat, split } from '../../ops/combine.js';
import { gather, indexSelect } from '../../ops/indexing.js';
import { expand, permute, reshape, slice, squeeze, unsqueeze } from '../../ops/views.js';
import { arange, fromTypedArray, full, tensor } from '../../tensor/create.js';
import { broadcastShapes } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { axonDType, onnxTypeName } from '../dtypes.js';
import { StringTensor, type Value } from '../value.js';
import { type OpContext, defineOps, fail, input, intsInput, isTensor, normAxis, scalarInput } from './registry.js';

function ints(values: readonly number[]): Tensor {
  return fromTypedArray(Int32Array.from(values), [values.length]);
}

/** Axes from the attribute (older opsets) or the input (newer ones), made non-negative. */
function axesOf(ctx: OpContext, inputIndex: number, sinceInput: number, rank: number): number[] | undefined {
  const axes =
    ctx.opset >= sinceInput ? intsInput(ctx, inputIndex) : ctx.attrs.has('axes') ? ctx.attrs.ints('axes') : undefined;
  return axes?.map((a) => normAxis(ctx, a, rank, 'axis'));
}

/** Negative indices count from the end, as in ONNX's Gather. */
function wrapIndices(ctx: OpContext, index: Tensor, size: number): Tensor {
  if (index.dtype !== 'int32') fail(ctx, `indices must be integers, got ${index.dtype}`);
  const values = index.contiguous().toTypedArray();
  for (const v of values)
    if (v < -size || v >= size) fail(ctx, `index ${v} is out of range for an axis of size ${size}`);
  return B.where(B.lt(index, 0), B.add(index, size), index);
}

/** The elements ONNX's Slice picks along one axis, with its clamping rules (negative steps too). */
function sliceAxis(x: Tensor, axis: number, start: number, end: number, step: number): Tensor {
  const n = x.shape[axis]!;
  if (step > 0) {
    const s = Math.min(Math.max(start < 0 ? start + n : start, 0), n);
    const e = Math.min(Math.max(end < 0 ? end + n : end, 0), n);
    return slice(x, axis, s, Math.max(s, e), step);
  }
  const s = Math.min(Math.max(start < 0 ? start + n : start, -1), n - 1);
  const e = Math.min(Math.max(end < 0 ? end + n : end, -1), n - 1);
  // Walking backwards from s to e (exclusive) is walking forwards in the flipped axis.
  const fs = n - 1 - s;
  const fe = n - 1 - e;
  return slice(flip(x, axis), axis, fs, Math.max(fs, fe), -step);
}

/** Reflect or edge padding along one axis, as an index selection (so gradients flow). */
function padIndexed(ctx: OpContext, x: Tensor, axis: number, before: number, after: number, mode: string): Tensor {
  const n = x.shape[axis]!;
  if (mode === 'reflect' && (before >= n || after >= n))
    fail(ctx, `reflect padding of ${Math.max(before, after)} needs an axis longer than that, axis ${axis} has ${n}`);
  if (n === 0) fail(ctx, `${mode} padding of an empty axis`);
  const idx: number[] = [];
  for (let i = -before; i < n + after; i++) {
    if (mode === 'edge') idx.push(Math.min(Math.max(i, 0), n - 1));
    else idx.push(i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  }
  return indexSelect(x, axis, ints(idx));
}

function padOp(ctx: OpContext): Tensor {
  const x = input(ctx, 0);
  const mode = ctx.attrs.string('mode', 'constant');
  let pads: number[];
  let value: number;
  let axes = x.shape.map((_, i) => i);
  if (ctx.opset < 11) {
    pads = ctx.attrs.ints(ctx.opset < 2 ? 'paddings' : 'pads');
    value = ctx.attrs.float('value', 0);
  } else {
    pads = intsInput(ctx, 1) ?? fail(ctx, 'pads is required');
    value = scalarInput(ctx, 2) ?? 0;
    const given = intsInput(ctx, 3);
    if (given) axes = given.map((a) => normAxis(ctx, a, x.ndim));
  }
  if (pads.length !== 2 * axes.length)
    fail(ctx, `pads has ${pads.length} values, expected ${2 * axes.length} for input [${x.shape}]`);
  const before = x.shape.map(() => 0);
  const after = x.shape.map(() => 0);
  axes.forEach((a, i) => {
    before[a] = pads[i]!;
    after[a] = pads[i + axes.length]!;
  });
  if (mode === 'constant') {
    const torchPads: number[] = [];
    for (let d = x.ndim - 1; d >= 0; d--) torchPads.push(before[d]!, after[d]!);
    return pad(x, torchPads, { value });
  }
  if (mode !== 'reflect' && mode !== 'edge' && mode !== 'wrap') fail(ctx, `unknown mode '${mode}'`);
  let out = x;
  for (let d = 0; d < x.ndim; d++) {
    // Crops first (negative pads), then the indexed padding of what remains.
    const crop = [Math.max(0, -before[d]!), Math.max(0, -after[d]!)] as const;
    if (crop[0] || crop[1]) out = slice(out, d, crop[0], out.shape[d]! - crop[1]);
    const b = Math.max(0, before[d]!);
    const e = Math.max(0, after[d]!);
    if (b === 0 && e === 0) continue;
    if (mode === 'wrap') {
      const n = out.shape[d]!;
      const idx = Array.from({ length: n + b + e }, (_, i) => (((i - b) % n) + n) % n);
      out = indexSelect(out, d, ints(idx));
    } else out = padIndexed(ctx, out, d, b, e, mode);
  }
  return out;
}

function constantOf(ctx: OpContext): Value {
  const names = ctx.attrs.names();
  if (names.length !== 1) fail(ctx, `expects exactly one value attribute, got ${names.join(', ') || 'none'}`);
  const name = names[0]!;
  switch (name) {
    case 'value':
      return ctx.attrs.tensor('value');
    case 'value_float':
      return tensor(ctx.attrs.float(name));
    case 'value_floats':
      return tensor(ctx.attrs.floats(name));
    case 'value_int':
      return tensor(ctx.attrs.int(name), { dtype: 'int32' });
    case 'value_ints':
      return ints(ctx.attrs.ints(name));
    case 'value_string':
      return new StringTensor([ctx.attrs.string(name)], []);
    case 'value_strings': {
      const s = ctx.attrs.strings(name);
      return new StringTensor(s, [s.length]);
    }
    default:
      return fail(ctx, `attribute '${name}' is not supported (sparse constants are not)`);
  }
}

function reshapeOp(ctx: OpContext): Tensor {
  const x = input(ctx, 0);
  const shape = ctx.opset < 5 ? ctx.attrs.ints('shape') : (intsInput(ctx, 1) ?? fail(ctx, 'shape is required'));
  const allowZero = ctx.attrs.int('allowzero', 0) === 1;
  // 0 copies the input's size at that position (unless allowzero); -1 is inferred.
  const target = shape.map((s, i) => {
    if (s === 0 && !allowZero) {
      if (i >= x.ndim) fail(ctx, `shape [${shape}] copies dimension ${i}, the input [${x.shape}] has rank ${x.ndim}`);
      return x.shape[i]!;
    }
    if (s < -1) fail(ctx, `shape [${shape}] has a negative size ${s}`);
    return s;
  });
  return reshape(x, target);
}

function splitOp(ctx: OpContext): Tensor[] {
  const x = input(ctx, 0);
  const axis = normAxis(ctx, ctx.attrs.int('axis', 0), x.ndim);
  const n = x.shape[axis]!;
  let sizes =
    ctx.opset >= 13
      ? intsInput(ctx, 1)
      : ctx.attrs.has('split')
        ? ctx.attrs.ints('split')
        : ctx.opset < 2
          ? intsInput(ctx, 1)
          : undefined;
  if (!sizes) {
    const parts = ctx.opset >= 18 ? ctx.attrs.int('num_outputs') : ctx.outputCount;
    const each = Math.ceil(n / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(each, n - i * each)));
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n) fail(ctx, `split sizes [${sizes}] do not add up to axis ${axis}'s ${n}`);
  return split(x, sizes, axis);
}

function gatherOp(ctx: OpContext): Tensor {
  const x = input(ctx, 0);
  const index = input(ctx, 1);
  const axis = normAxis(ctx, ctx.attrs.int('axis', 0), x.ndim);
  const idx = wrapIndices(ctx, index, x.shape[axis]!);
  const picked = indexSelect(x, axis, idx.reshape([idx.numel]));
  return reshape(picked, [...x.shape.slice(0, axis), ...index.shape, ...x.shape.slice(axis + 1)]);
}

function sliceOp(ctx: OpContext): Tensor {
  let x = input(ctx, 0);
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.attrs.ints('starts');
    ends = ctx.attrs.ints('ends');
    axes = ctx.attrs.has('axes') ? ctx.attrs.ints('axes') : undefined;
  } else {
    starts = intsInput(ctx, 1) ?? fail(ctx, 'starts is required');
    ends = intsInput(ctx, 2) ?? fail(ctx, 'ends is required');
    axes = intsInput(ctx, 3);
    steps = intsInput(ctx, 4);
  }
  axes ??= starts.map((_, i) => i);
  steps ??= starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length)
    fail(ctx, `starts, ends, axes and steps must have the same length`);
  axes.forEach((a, i) => {
    if (steps![i] === 0) fail(ctx, 'a step of 0');
    x = sliceAxis(x, normAxis(ctx, a, x.ndim), starts[i]!, ends[i]!, steps![i]!);
  });
  return x;
}

function castOp(ctx: OpContext, type: number): Value {
  const v = ctx.inputs[0];
  const dtype = axonDType(type);
  if (dtype === undefined || dtype === 'string' || !isTensor(v))
    return fail(ctx, `casting to ${onnxTypeName(type)} is not supported`);
  return v.dtype === dtype ? v : to(v, dtype);
}

defineOps('', {
  Constant: constantOf,
  ConstantOfShape: (ctx) => {
    const shape = intsInput(ctx, 0) ?? [];
    const v = ctx.attrs.tensor('value');
    if (v && !isTensor(v)) fail(ctx, 'a string value is not supported');
    const value = v ? v.contiguous().toTypedArray()[0]! : 0;
    return full(shape, value, { dtype: v?.dtype ?? 'float32' });
  },
  Shape: (ctx) => {
    const v = ctx.inputs[0];
    const shape = isTensor(v) || v instanceof StringTensor ? v.shape : fail(ctx, 'expects a tensor');
    const rank = shape.length;
    const clamp = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
    const start = clamp(ctx.attrs.int('start', 0));
    const end = clamp(ctx.attrs.int('end', rank));
    return ints(shape.slice(start, Math.max(start, end)));
  },
  Size: (ctx) => tensor(input(ctx, 0).numel, { dtype: 'int32' }),
  Reshape: reshapeOp,
  Flatten: (ctx) => {
    const x = input(ctx, 0);
    const axis = ctx.attrs.int('axis', 1);
    const a = axis < 0 ? axis + x.ndim : axis;
    if (a < 0 || a > x.ndim) fail(ctx, `axis ${axis} is out of range for rank ${x.ndim}`);
    const outer = x.shape.slice(0, a).reduce((p, s) => p * s, 1);
    return reshape(x, [outer, x.numel === 0 ? 0 : x.numel / Math.max(outer, 1)]);
  },
  Squeeze: (ctx) => {
    const x = input(ctx, 0);
    const axes = axesOf(ctx, 1, 13, x.ndim);
    if (axes) for (const a of axes) if (x.shape[a] !== 1) fail(ctx, `axis ${a} of [${x.shape}] is not of size 1`);
    return axes ? squeeze(x, axes) : squeeze(x);
  },
  Unsqueeze: (ctx) => {
    let x = input(ctx, 0);
    const raw = ctx.opset >= 13 ? intsInput(ctx, 1) : ctx.attrs.ints('axes');
    if (!raw) return fail(ctx, 'axes is required');
    const rank = x.ndim + raw.length;
    const axes = raw.map((a) => normAxis(ctx, a, rank)).sort((p, q) => p - q);
    if (new Set(axes).size !== axes.length) fail(ctx, `axes [${raw}] repeat an axis`);
    for (const a of axes) x = unsqueeze(x, a);
    return x;
  },
  Transpose: (ctx) => {
    const x = input(ctx, 0);
    const perm = ctx.attrs.ints(
      'perm',
      x.shape.map((_, i) => x.ndim - 1 - i),
    );
    return permute(x, perm);
  },
  Expand: (ctx) => {
    const x = input(ctx, 0);
    const shape = intsInput(ctx, 1) ?? fail(ctx, 'shape is required');
    return expand(x, broadcastShapes('Expand', x.shape, shape));
  },
  Concat: (ctx) => {
    const xs = ctx.inputs.map((_, i) => input(ctx, i));
    const rank = xs[0]?.ndim ?? fail(ctx, 'needs at least one input');
    return cat(xs, normAxis(ctx, ctx.attrs.int('axis', ctx.opset < 4 ? 1 : undefined), rank));
  },
  Split: splitOp,
  Slice: sliceOp,
  Gather: gatherOp,
  GatherElements: (ctx) => {
    const x = input(ctx, 0);
    const axis = normAxis(ctx, ctx.attrs.int('axis', 0), x.ndim);
    return gather(x, axis, wrapIndices(ctx, input(ctx, 1), x.shape[axis]!));
  },
  Tile: (ctx) => {
    const x = input(ctx, 0);
    const repeats = intsInput(ctx, 1) ?? fail(ctx, 'repeats is required');
    if (repeats.length !== x.ndim) fail(ctx, `repeats has ${repeats.length} values, the input has rank ${x.ndim}`);
    return repeat(x, repeats);
  },
  Range: (ctx) => {
    const start = scalarInput(ctx, 0)!;
    const limit = scalarInput(ctx, 1)!;
    const delta = scalarInput(ctx, 2)!;
    if (delta === 0) fail(ctx, 'delta is 0');
    const dtype = input(ctx, 0).dtype;
    const n = Math.max(Math.ceil((limit - start) / delta), 0);
    return arange(0, n, 1, { dtype }).mul(delta).add(start).to(dtype);
  },
  Cast: (ctx) => castOp(ctx, ctx.attrs.int('to')),
  CastLike: (ctx) => {
    const like = input(ctx, 1);
    return isTensor(ctx.inputs[0]) ? to(ctx.inputs[0], like.dtype) : fail(ctx, 'expects a tensor');
  },
  Pad: padOp,
  DepthToSpace: (ctx) => {
    const x = input(ctx, 0);
    const b = ctx.attrs.int('blocksize');
    const [N, C, H, W] = x.shape as [number, number, number, number];
    if (x.ndim !== 4 || C % (b * b) !== 0)
      fail(ctx, `expects [N, C, H, W] with C divisible by ${b * b}, got [${x.shape}]`);
    const c = C / (b * b);
    const dcr = ctx.attrs.string('mode', 'DCR') === 'DCR';
    const y = dcr
      ? reshape(x, [N, b, b, c, H, W]).permute([0, 3, 4, 1, 5, 2])
      : reshape(x, [N, c, b, b, H, W]).permute([0, 1, 4, 2, 5, 3]);
    return reshape(y, [N, c, H * b, W * b]);
  },
  SpaceToDepth: (ctx) => {
    const x = input(ctx, 0);
    const b = ctx.attrs.int('blocksize');
    const [N, C, H, W] = x.shape as [number, number, number, number];
    if (x.ndim !== 4 || H % b !== 0 || W % b !== 0)
      fail(ctx, `expects [N, C, H, W] with H, W divisible by ${b}, got [${x.shape}]`);
    const y = reshape(x, [N, C, H / b, b, W / b, b]).permute([0, 3, 5, 1, 2, 4]);
    return reshape(y, [N, C * b * b, H / b, W / b]);
  },
  Trilu: (ctx) => {
    const x = input(ctx, 0);
    const k = scalarInput(ctx, 1) ?? 0;
    return ctx.attrs.int('upper', 1) === 1 ? x.triu(k) : x.tril(k);
  },
  OneHot: (ctx) => {
    const index = input(ctx, 0);
    const depth = scalarInput(ctx, 1)!;
    const values = input(ctx, 2);
    const [off, on] = Array.from(values.contiguous().toTypedArray());
    const idx = B.where(B.lt(index, 0), B.add(to(index, 'int32'), depth), to(index, 'int32'));
    const hot = B.eq(unsqueeze(idx, -1), arange(depth, undefined, 1, { dtype: 'int32' }));
    const out = B.where(hot, on!, off!).to(values.dtype);
    const last = out.ndim - 1;
    const axis = normAxis(ctx, ctx.attrs.int('axis', -1), out.ndim);
    // The classes' axis is built last, then moved where the attribute puts it.
    const perm = [
      ...Array.from({ length: axis }, (_, i) => i),
      last,
      ...Array.from({ length: last - axis }, (_, i) => axis + i),
    ];
    return permute(out, perm);
  },
});
