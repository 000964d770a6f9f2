// 3-D convolution and pooling (video, volumes), built from the 2-D kernels: a 3-D window is kd
// planes of 2-D windows, so each depth offset of the kernel is one 2-D op over every output depth at
// once (the depth slices folded into the batch), and the kd results are summed (or maxed).
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { maximum } from '../../ops/binary.js';
import { windowCount } from '../../ops/window.js';
import { fromTypedArray } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { intArg } from './args.js';
import { conv2d } from './conv.js';
import { avgPool2d, maxPool2d } from './pooling.js';

export type Triple = number | readonly [number, number, number];

function triple(op: string, name: string, v: Triple, min: number): [number, number, number] {
  const t = typeof v === 'number' ? [v, v, v] : v;
  if (!Array.isArray(t) || t.length !== 3) throw new ValueError(`${op}: ${name} must be a number or 3 numbers`);
  return t.map((x) => intArg(op, name, x, min)) as [number, number, number];
}

function batched5(op: string, x: Tensor, fn: (x: Tensor) => Tensor): Tensor {
  if (x.ndim === 4) return fn(x.unsqueeze(0)).squeeze(0);
  if (x.ndim !== 5)
    throw new ShapeError(`${op}: expected input [N, C, D, H, W] or [C, D, H, W], got ${fmtShape(x.shape)}`);
  return fn(x);
}

/** The planes x[:, :, start + i·step] for i < count, folded into the batch: [N·count, C, H, W]. */
function planes(x: Tensor, start: number, count: number, step: number): Tensor {
  const [N, C, , H, W] = x.shape as number[];
  return x
    .slice(2, start, start + (count - 1) * step + 1, step)
    .permute([0, 2, 1, 3, 4])
    .reshape([N! * count, C!, H!, W!]);
}

/** [N·D, C, H, W] back to [N, C, D, H, W]. */
function unfold(y: Tensor, n: number, d: number): Tensor {
  const [, C, H, W] = y.shape as number[];
  return y.reshape([n, d, C!, H!, W!]).permute([0, 2, 1, 3, 4]);
}

export interface Conv3dOptions {
  stride?: Triple;
  padding?: Triple;
  dilation?: Triple;
  groups?: number;
}

/** 3-D convolution: x [N, Cin, D, H, W], weight [Cout, Cin/groups, kd, kh, kw]. */
export function conv3d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv3dOptions = {}): Tensor {
  return batched5('conv3d', x, (x5) => {
    if (weight.ndim !== 5)
      throw new ShapeError(`conv3d: expected weight [Cout, Cin/groups, kd, kh, kw], got ${fmtShape(weight.shape)}`);
    const stride = triple('conv3d', 'stride', options.stride ?? 1, 1);
    const padding = triple('conv3d', 'padding', options.padding ?? 0, 0);
    const dilation = triple('conv3d', 'dilation', options.dilation ?? 1, 1);
    const [N, , D] = x5.shape as number[];
    const kd = weight.shape[2]!;
    const Cout = weight.shape[0]!;
    if (bias && (bias.ndim !== 1 || bias.shape[0] !== Cout))
      throw new ShapeError(`conv3d: bias must have shape [${Cout}], got ${fmtShape(bias.shape)}`);
    const od = windowCount(D!, kd, stride[0], padding[0], dilation[0]);
    if (od <= 0) throw new ShapeError(`conv3d: input ${fmtShape(x5.shape)} is shallower than the kernel (depth ${kd})`);
    const xp = padding[0] > 0 ? x5.pad([0, 0, 0, 0, padding[0], padding[0]]) : x5;
    let sum: Tensor | undefined;
    for (let k = 0; k < kd; k++) {
      const y = conv2d(planes(xp, k * dilation[0], od, stride[0]), weight.select(2, k), null, {
        stride: [stride[1], stride[2]],
        padding: [padding[1], padding[2]],
        dilation: [dilation[1], dilation[2]],
        groups: options.groups ?? 1,
      });
      sum = sum ? sum.add(y) : y;
    }
    const out = unfold(sum!, N!, od);
    return bias ? out.add(bias.reshape([1, Cout, 1, 1, 1])) : out;
  });
}

export interface Pool3dOptions {
  stride?: Triple | null;
  padding?: Triple;
  dilation?: Triple;
  ceilMode?: boolean;
  /** Average pooling: whether padded positions count in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
}

function depthGeometry(op: string, x: Tensor, kernelSize: Triple, o: Pool3dOptions) {
  const kernel = triple(op, 'kernelSize', kernelSize, 1);
  const stride = o.stride == null ? kernel : triple(op, 'stride', o.stride, 1);
  const padding = triple(op, 'padding', o.padding ?? 0, 0);
  const dilation = triple(op, 'dilation', o.dilation ?? 1, 1);
  if (padding.some((p, i) => p * 2 > kernel[i]!))
    throw new ValueError(
      `${op}: padding ${padding.join(', ')} should be at most half of the kernel ${kernel.join(', ')}`,
    );
  const D = x.shape[2]!;
  const od = windowCount(D, kernel[0], stride[0], padding[0], dilation[0], o.ceilMode);
  if (od <= 0)
    throw new ShapeError(`${op}: input ${fmtShape(x.shape)} is shallower than the kernel ${kernel.join('×')}`);
  // Ceil mode may let the last window hang past the padded end: pad enough for it.
  const needed = (od - 1) * stride[0] + (kernel[0] - 1) * dilation[0] + 1;
  const tail = Math.max(padding[0], needed - D - padding[0]);
  return { kernel, stride, padding, dilation, od, tail };
}

/** Max over each 3-D window: x [N, C, D, H, W]. */
export function maxPool3d(x: Tensor, kernelSize: Triple, options: Pool3dOptions = {}): Tensor {
  return batched5('maxPool3d', x, (x5) => {
    const g = depthGeometry('maxPool3d', x5, kernelSize, options);
    const xp = x5.pad([0, 0, 0, 0, g.padding[0], g.tail], { value: -Infinity });
    let best: Tensor | undefined;
    for (let k = 0; k < g.kernel[0]; k++) {
      const y = maxPool2d(planes(xp, k * g.dilation[0], g.od, g.stride[0]), [g.kernel[1], g.kernel[2]], {
        stride: [g.stride[1], g.stride[2]],
        padding: [g.padding[1], g.padding[2]],
        dilation: [g.dilation[1], g.dilation[2]],
        ceilMode: options.ceilMode,
      });
      best = best ? maximum(best, y) : y;
    }
    return unfold(best!, x5.shape[0]!, g.od);
  });
}

/** Mean over each 3-D window: x [N, C, D, H, W]; padding counts unless countIncludePad is false. */
export function avgPool3d(x: Tensor, kernelSize: Triple, options: Pool3dOptions = {}): Tensor {
  return batched5('avgPool3d', x, (x5) => {
    if (options.dilation !== undefined) throw new ValueError('avgPool3d: dilation is not an option of average pooling');
    const g = depthGeometry('avgPool3d', x5, kernelSize, options);
    const xp = x5.pad([0, 0, 0, 0, g.padding[0], g.tail]);
    let sum: Tensor | undefined;
    for (let k = 0; k < g.kernel[0]; k++) {
      const y = avgPool2d(planes(xp, k, g.od, g.stride[0]), [g.kernel[1], g.kernel[2]], {
        stride: [g.stride[1], g.stride[2]],
        padding: [g.padding[1], g.padding[2]],
        ceilMode: options.ceilMode,
        divisorOverride: 1,
      });
      sum = sum ? sum.add(y) : y;
    }
    const out = unfold(sum!, x5.shape[0]!, g.od);
    const [oh, ow] = [out.shape[3]!, out.shape[4]!];
    const divisor = divisors3d(
      g,
      [x5.shape[2]!, x5.shape[3]!, x5.shape[4]!],
      [g.od, oh, ow],
      options.countIncludePad ?? true,
    );
    return out.div(x5.dtype === 'float64' ? divisor.to('float64') : divisor);
  });
}

/** Each window's element count: clipped to the padded input, or to the input itself without padding. */
function divisors3d(
  g: { kernel: number[]; stride: number[]; padding: number[] },
  size: number[],
  out: number[],
  includePad: boolean,
): Tensor {
  const span = (axis: number, o: number) => {
    const start = o * g.stride[axis]! - g.padding[axis]!;
    const end = Math.min(start + g.kernel[axis]!, size[axis]! + g.padding[axis]!);
    return includePad ? end - start : Math.min(end, size[axis]!) - Math.max(start, 0);
  };
  const d = new Float32Array(out[0]! * out[1]! * out[2]!);
  let i = 0;
  for (let a = 0; a < out[0]!; a++)
    for (let b = 0; b < out[1]!; b++) for (let c = 0; c < out[2]!; c++) d[i++] = span(0, a) * span(1, b) * span(2, c);
  return fromTypedArray(d, out);
}
