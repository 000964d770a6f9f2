import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { type WindowGeometry, foldWindows, unfoldColumns, unfoldWindows, windowCount } from '../../ops/window.js';
import type { Tensor } from '../../tensor/tensor.js';
import { getBackend as backend } from '../../backend/index.js';
import { record as recordOp } from '../../autograd/record.js';
import { isGradEnabled } from '../../autograd/grad-mode.js';
import { empty } from '../../ops/util.js';
import { autocastDtype } from '../../ops/autocast.js';
import { type Pair, pair, positivePair } from './args.js';

export interface ConvOptions {
  stride?: Pair;
  /** Zero padding on both sides, or 'valid' (none) or 'same' (output size = input size, stride 1). */
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
}

/** 2-D convolution (cross-correlation, as PyTorch): x [N, Cin, H, W], weight [Cout, Cin/groups, kh, kw]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  if (x.ndim === 3) return conv2d(x.unsqueeze(0), weight, bias, options).squeeze(0);
  if (x.ndim !== 4 || weight.ndim !== 4)
    throw new ShapeError(
      `conv2d: expected input [N, C, H, W] and weight [Cout, Cin/groups, kh, kw], got ${fmtShape(x.shape)} and ${fmtShape(weight.shape)}`,
    );
  const groups = options.groups ?? 1;
  const [N, C] = x.shape as [number, number];
  const [Cout, Cg, kh, kw] = weight.shape as [number, number, number, number];
  if (!Number.isInteger(groups) || groups < 1 || Cout % groups !== 0)
    throw new ValueError(`conv2d: groups must be a positive integer dividing out_channels ${Cout}, got ${groups}`);
  if (Cg * groups !== C) {
    throw new ShapeError(
      `conv2d: expected input with ${Cg * groups} channels (weight ${fmtShape(weight.shape)}, groups ${groups}), got input ${fmtShape(x.shape)}`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== Cout))
    throw new ShapeError(`conv2d: bias must have shape [${Cout}], got ${fmtShape(bias.shape)}`);
  const stride = positivePair('conv2d', 'stride', options.stride ?? 1);
  const dilation = positivePair('conv2d', 'dilation', options.dilation ?? 1);
  let input = x;
  let padding: [number, number];
  const pad = options.padding ?? 0;
  if (pad === 'valid') padding = [0, 0];
  else if (pad === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1)
      throw new ValueError("conv2d: padding='same' is only supported with stride 1");
    const total = [dilation[0] * (kh - 1), dilation[1] * (kw - 1)];
    padding = [Math.floor(total[0]! / 2), Math.floor(total[1]! / 2)];
    // An odd total pads one more on the bottom/right, as PyTorch does.
    const extra = [total[0]! % 2, total[1]! % 2];
    if (extra[0] || extra[1]) input = x.pad([0, extra[1]!, 0, extra[0]!]);
  } else padding = pair('conv2d', 'padding', pad);
  const [Hin, Win] = [input.shape[2]!, input.shape[3]!];
  const oh = windowCount(Hin, kh, stride[0], padding[0], dilation[0]);
  const ow = windowCount(Win, kw, stride[1], padding[1], dilation[1]);
  if (oh <= 0 || ow <= 0) {
    throw new ShapeError(
      `conv2d: input ${fmtShape(x.shape)} is smaller than the dilated kernel ${kh}×${kw} (padding ${padding.join(', ')}, dilation ${dilation.join(', ')})`,
    );
  }
  const geometry: WindowGeometry = { kernel: [kh, kw], stride, padding, dilation, input: [Hin, Win], output: [oh, ow] };
  const K = Cg * kh * kw;
  let y: Tensor;
  const pointwise = kh === 1 && kw === 1 && stride[0] === 1 && stride[1] === 1 && padding[0] === 0 && padding[1] === 0;
  if (groups === 1 && pointwise) {
    // A 1×1 convolution is a matrix product per image, no unfolding: [Cout, C] × [N, C, H·W].
    y = weight
      .reshape(1, Cout, C)
      .matmul(input.reshape(N, C, Hin * Win))
      .reshape(N, Cout, oh, ow);
  } else if (
    groups === 1 &&
    backend().conv2d &&
    autocastDtype() === null &&
    [x, weight, bias ?? x].every((t) => t.dtype === 'float32')
  ) {
    // (before the depthwise kernel: a one-channel input is groups = channels too, but its many
    // output channels make it a GEMM; under autocast the unfolded form's product rounds to bfloat16)
    return dense(input, weight, bias ?? null, geometry);
  } else if (groups === C && Cg === 1 && kh > 0 && kw > 0 && backend().depthwiseConv2d) {
    y = depthwise(input, weight, geometry);
  } else if (groups === 1) {
    // One GEMM for the whole batch: [Cout, K] × [K, N·oh·ow], viewed back as [N, Cout, oh, ow].
    y = weight
      .reshape(Cout, K)
      .matmul(unfoldColumns(input, geometry, 0))
      .reshape(Cout, N, oh, ow)
      .permute(1, 0, 2, 3);
  } else {
    const cols = unfoldWindows(input, geometry, 0).reshape(N, groups, K, oh * ow);
    y = weight
      .reshape(1, groups, Cout / groups, K)
      .matmul(cols)
      .reshape(N, Cout, oh, ow);
  }
  if (bias) y = y.add(bias.reshape(1, Cout, 1, 1));
  return y;
}

/** 1-D convolution: x [N, Cin, L], weight [Cout, Cin/groups, k]. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  if (x.ndim === 2) return conv1d(x.unsqueeze(0), weight, bias, options).squeeze(0);
  if (x.ndim !== 3 || weight.ndim !== 3)
    throw new ShapeError(
      `conv1d: expected input [N, C, L] and weight [Cout, Cin/groups, k], got ${fmtShape(x.shape)} and ${fmtShape(weight.shape)}`,
    );
  const to2 = (v: Pair | undefined, d: number): [number, number] => [
    d,
    typeof v === 'number' ? v : v === undefined ? d : v[0],
  ];
  const pad = options.padding;
  const opts: ConvOptions = {
    stride: to2(options.stride as Pair | undefined, 1),
    dilation: to2(options.dilation as Pair | undefined, 1),
    padding: pad === 'same' || pad === 'valid' ? pad : to2(pad, 0),
    groups: options.groups ?? 1,
  };
  return conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, opts).squeeze(2);
}

/** Transposed 2-D convolution: x [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw] (the adjoint of conv2d). */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options: ConvTransposeOptions = {},
): Tensor {
  if (x.ndim === 3) return convTranspose2d(x.unsqueeze(0), weight, bias, options).squeeze(0);
  if (x.ndim !== 4 || weight.ndim !== 4)
    throw new ShapeError(
      `convTranspose2d: expected input [N, C, H, W] and weight [Cin, Cout/groups, kh, kw], got ${fmtShape(x.shape)} and ${fmtShape(weight.shape)}`,
    );
  const groups = options.groups ?? 1;
  const [N, Cin, H, W] = x.shape as [number, number, number, number];
  const [Cw, Cg, kh, kw] = weight.shape as [number, number, number, number];
  if (Cw !== Cin || Cin % groups !== 0)
    throw new ShapeError(
      `convTranspose2d: expected input with ${Cw} channels (weight ${fmtShape(weight.shape)}, groups ${groups}), got input ${fmtShape(x.shape)}`,
    );
  const Cout = Cg * groups;
  const stride = positivePair('convTranspose2d', 'stride', options.stride ?? 1);
  const padding = pair('convTranspose2d', 'padding', options.padding ?? 0);
  const dilation = positivePair('convTranspose2d', 'dilation', options.dilation ?? 1);
  const outPad = pair('convTranspose2d', 'outputPadding', options.outputPadding ?? 0);
  if (outPad[0] >= Math.max(stride[0], dilation[0]) || outPad[1] >= Math.max(stride[1], dilation[1])) {
    throw new ValueError(`convTranspose2d: outputPadding ${outPad.join(', ')} must be smaller than stride or dilation`);
  }
  const Hout = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + outPad[0] + 1;
  const Wout = (W - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + outPad[1] + 1;
  if (Hout <= 0 || Wout <= 0)
    throw new ShapeError(`convTranspose2d: the output would be empty (${Hout}×${Wout}) for input ${fmtShape(x.shape)}`);
  const geometry: WindowGeometry = { kernel: [kh, kw], stride, padding, dilation, input: [Hout, Wout], output: [H, W] };
  // cols[n, g] = W[g]ᵀ x[n, g]: [Cout/g·kh·kw, Cin/g] @ [Cin/g, H·W]
  const w = weight
    .reshape(groups, Cin / groups, Cg * kh * kw)
    .transpose(1, 2)
    .unsqueeze(0);
  const cols = w.matmul(x.reshape(N, groups, Cin / groups, H * W)).reshape(N, Cout, kh, kw, H, W);
  let y = foldWindows(cols, geometry);
  if (bias) y = y.add(bias.reshape(1, Cout, 1, 1));
  return y;
}

/** Transposed 1-D convolution: x [N, Cin, L], weight [Cin, Cout/groups, k]. */
export function convTranspose1d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options: ConvTransposeOptions = {},
): Tensor {
  const one = (v: Pair | undefined, d: number): [number, number] => [
    d,
    typeof v === 'number' ? v : v === undefined ? d : v[0],
  ];
  return convTranspose2d(x.unsqueeze(-2), weight.unsqueeze(2), bias, {
    stride: one(options.stride, 1),
    padding: one(options.padding, 0),
    outputPadding: one(options.outputPadding, 0),
    dilation: one(options.dilation, 1),
    groups: options.groups ?? 1,
  }).squeeze(-2);
}

/**
 * Dense convolution (groups 1) on the backend's fused kernels: a few images at a time unfolded and
 * multiplied straight into their place in the output, bias included, and the gradients likewise
 * (dx folds Wᵀ·grad back into images, dW = grad·colsᵀ). When the backward itself is recorded
 * (createGraph), it is the unfolded form's, written with ops, so gradients of any order work.
 */
function dense(x: Tensor, weight: Tensor, bias: Tensor | null, g: WindowGeometry): Tensor {
  const [N, C] = x.shape as [number, number];
  const Cout = weight.shape[0]!;
  const [kh, kw] = g.kernel;
  const [oh, ow] = g.output;
  const K = C * kh * kw;
  const out = empty([N, Cout, oh, ow], x.dtype);
  if (out.numel > 0) backend().conv2d!(x, weight.reshape(Cout, K).contiguous(), bias?.contiguous() ?? null, g, out);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return recordOp('conv2d', out, inputs, (grad, needs) => {
    const db = bias && needs[2] ? grad.sum([0, 2, 3]) : null;
    const b = backend();
    if (b.conv2dBackward && !isGradEnabled() && autocastDtype() === null) {
      // Not building a graph of the gradients: the fused kernel, a few images at a time.
      const dx = needs[0] ? empty(x.shape, x.dtype) : null;
      const dw = needs[1] ? empty(weight.shape, weight.dtype) : null;
      b.conv2dBackward(x, weight.reshape(Cout, K).contiguous(), grad.contiguous(), g, dx, dw);
      return bias ? [dx, dw, db] : [dx, dw];
    }
    // The gradient as [Cout, N·oh·ow], the layout of the batch's unfolded columns.
    const g2 = grad
      .reshape(N, Cout, oh * ow)
      .permute(1, 0, 2)
      .reshape(Cout, N * oh * ow);
    const w2 = weight.reshape(Cout, K);
    const dx = needs[0]
      ? foldWindows(w2.transpose(0, 1).matmul(g2).reshape(C, kh, kw, N, oh, ow).permute(3, 0, 1, 2, 4, 5), g)
      : null;
    const dw = needs[1] ? g2.matmul(unfoldColumns(x, g, 0).transpose(0, 1)).reshape(weight.shape) : null;
    return bias ? [dx, dw, db] : [dx, dw];
  });
}

/**
 * Depthwise convolution (groups = channels) on the backend's direct kernel; the unfolded
 * form (im2col and a GEMV per channel) costs ~20× more. The backward is written with ops on
 * the unfolded windows, so gradients of any order work.
 */
function depthwise(x: Tensor, weight: Tensor, g: WindowGeometry): Tensor {
  const [N, C] = x.shape as [number, number];
  const Cout = weight.shape[0]!;
  const m = Cout / C;
  const [kh, kw] = g.kernel;
  const K = kh * kw;
  const L = g.output[0] * g.output[1];
  const out = empty([N, Cout, ...g.output], x.dtype);
  if (out.numel > 0) backend().depthwiseConv2d!(x.contiguous(), weight.reshape(Cout, kh, kw).contiguous(), g, out);
  return recordOp('depthwiseConv2d', out, [x, weight], (grad, needs) => {
    const gr = grad.reshape(N, C, m, L);
    const w = weight.reshape(C, m, K);
    // dcols[n, c, k, l] = Σ_m w[c, m, k] · grad[n, c, m, l]; folded back into the image.
    const dx = needs[0]
      ? foldWindows(
          w
            .transpose(1, 2)
            .unsqueeze(0)
            .matmul(gr)
            .reshape(N, C, kh, kw, ...g.output),
          g,
        )
      : null;
    // dw[c, m, k] = Σ_n Σ_l grad[n, c, m, l] · cols[n, c, k, l].
    const dw = needs[1]
      ? gr
          .matmul(unfoldWindows(x, g, 0).reshape(N, C, K, L).transpose(2, 3))
          .sum(0)
          .reshape(weight.shape)
      : null;
    return [dx, dw];
  });
}
