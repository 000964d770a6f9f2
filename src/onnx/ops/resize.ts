// ONNX's Resize (and the older Upsample): nearest and (multi)linear interpolation along any axes,
// written as index selections and weighted sums per axis, so gradients flow through it.
import { fromTypedArray } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type OpContext, defineOps, fail, input, intsInput, optionalInput } from './registry.js';

function floats(t: Tensor | undefined): number[] | undefined {
  return t && t.numel > 0 ? Array.from(t.contiguous().toTypedArray()) : undefined;
}

/** The input coordinate an output coordinate maps to, per coordinate_transformation_mode. */
function sourceCoordinate(mode: string, out: number, scale: number, inLen: number, outLen: number): number {
  switch (mode) {
    case 'half_pixel':
      return (out + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return outLen > 1 ? (out + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return outLen > 1 ? (out * (inLen - 1)) / (outLen - 1) : 0;
    case 'asymmetric':
      return out / scale;
    case 'half_pixel_symmetric': {
      const adjustment = outLen / (scale * inLen);
      const center = inLen / 2;
      const offset = center * (1 - adjustment);
      return offset + (out + 0.5) / scale - 0.5;
    }
    default:
      return NaN;
  }
}

function nearestIndex(mode: string, x: number): number {
  switch (mode) {
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'round_prefer_ceil':
      return Math.round(x);
    default: // round_prefer_floor
      return x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x);
  }
}

const ints = (v: number[]) => fromTypedArray(Int32Array.from(v), [v.length]);

function resizeAxis(ctx: OpContext, x: Tensor, axis: number, outLen: number, scale: number): Tensor {
  const inLen = x.shape[axis]!;
  const mode = ctx.attrs.string('mode', 'nearest');
  const ctm = ctx.attrs.string('coordinate_transformation_mode', ctx.opset < 11 ? 'asymmetric' : 'half_pixel');
  if (Number.isNaN(sourceCoordinate(ctm, 0, scale, inLen, outLen)))
    fail(ctx, `coordinate_transformation_mode '${ctm}' is not supported`);
  const clamp = (i: number) => Math.min(Math.max(i, 0), inLen - 1);
  if (mode === 'nearest') {
    const nearest = ctx.attrs.string('nearest_mode', ctx.opset < 11 ? 'floor' : 'round_prefer_floor');
    const idx = Array.from({ length: outLen }, (_, o) =>
      clamp(nearestIndex(nearest, sourceCoordinate(ctm, o, scale, inLen, outLen))),
    );
    return x.indexSelect(axis, ints(idx));
  }
  if (mode !== 'linear') return fail(ctx, `mode '${mode}' is not supported (nearest and linear are)`);
  const lo: number[] = [];
  const hi: number[] = [];
  const w: number[] = [];
  for (let o = 0; o < outLen; o++) {
    const c = Math.min(Math.max(sourceCoordinate(ctm, o, scale, inLen, outLen), 0), inLen - 1);
    const f = Math.floor(c);
    lo.push(f);
    hi.push(clamp(f + 1));
    w.push(c - f);
  }
  const shape = x.shape.map((_, k) => (k === axis ? outLen : 1));
  const weight = fromTypedArray(x.dtype === 'float64' ? Float64Array.from(w) : Float32Array.from(w), shape);
  const a = x.indexSelect(axis, ints(lo));
  const b = x.indexSelect(axis, ints(hi));
  return a.add(b.sub(a).mul(weight));
}

function resize(ctx: OpContext): Tensor {
  const x = input(ctx, 0);
  if (ctx.attrs.int('antialias', 0) !== 0) fail(ctx, 'antialias is not supported');
  if (ctx.attrs.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch')
    fail(ctx, 'keep_aspect_ratio_policy other than stretch is not supported');
  let scales: number[] | undefined;
  let sizes: number[] | undefined;
  if (ctx.opType === 'Upsample' || ctx.opset < 11)
    scales = ctx.opset < 9 ? ctx.attrs.floats('scales') : floats(input(ctx, 1));
  else {
    if (ctx.attrs.string('coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize')
      fail(ctx, 'tf_crop_and_resize is not supported');
    scales = floats(optionalInput(ctx, 2));
    sizes = intsInput(ctx, 3);
    if (sizes?.length === 0) sizes = undefined;
  }
  const axes = ctx.attrs.has('axes')
    ? ctx.attrs.ints('axes').map((a) => (a < 0 ? a + x.ndim : a))
    : x.shape.map((_, i) => i);
  if ((scales === undefined) === (sizes === undefined)) fail(ctx, 'exactly one of scales and sizes must be given');
  const given = (scales ?? sizes)!;
  if (given.length !== axes.length)
    fail(ctx, `${scales ? 'scales' : 'sizes'} has ${given.length} values for ${axes.length} axes`);
  let out = x;
  axes.forEach((axis, i) => {
    const inLen = x.shape[axis]!;
    const outLen = sizes ? sizes[i]! : Math.floor(inLen * scales![i]!);
    const scale = sizes ? outLen / inLen : scales![i]!;
    if (!(outLen >= 0) || !(scale > 0)) fail(ctx, `axis ${axis}: cannot resize ${inLen} by ${scale}`);
    if (outLen !== inLen || scale !== 1) out = resizeAxis(ctx, out, axis, outLen, scale);
  });
  return out;
}

defineOps('', { Resize: resize, Upsample: resize });
