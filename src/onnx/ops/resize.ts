// ONNX's Resize (and the older Upsample): nearest and (multi)linear interpolation along any axes,
// written with F.interpolate's per-axis selections and weighted sums, so gradients flow through it.
import { linearAxis, nearestAxis } from '../../nn/functional/interpolate.js';
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

function resizeAxis(ctx: OpContext, x: Tensor, axis: number, outLen: number, scale: number): Tensor {
  const inLen = x.shape[axis]!;
  const mode = ctx.attrs.string('mode', 'nearest');
  const ctm = ctx.attrs.string('coordinate_transformation_mode', ctx.opset < 11 ? 'asymmetric' : 'half_pixel');
  if (Number.isNaN(sourceCoordinate(ctm, 0, scale, inLen, outLen)))
    fail(ctx, `coordinate_transformation_mode '${ctm}' is not supported`);
  const source = (o: number) => sourceCoordinate(ctm, o, scale, inLen, outLen);
  if (mode === 'nearest') {
    const nearest = ctx.attrs.string('nearest_mode', ctx.opset < 11 ? 'floor' : 'round_prefer_floor');
    return nearestAxis(x, axis, outLen, (o) => nearestIndex(nearest, source(o)));
  }
  if (mode !== 'linear') return fail(ctx, `mode '${mode}' is not supported (nearest and linear are)`);
  return linearAxis(x, axis, outLen, source);
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
