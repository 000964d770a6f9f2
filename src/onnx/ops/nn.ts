// ONNX's neural-network ops (convolution, pooling, normalisation, Gemm/MatMul, softmax, dropout)
// mapped onto nn.functional.
import * as B from '../../ops/binary.js';
import { addmm, matmul } from '../../ops/matmul.js';
import { logSoftmax, softmax } from '../../ops/softmax.js';
import { reshape } from '../../ops/views.js';
import { dropout } from '../../nn/functional/dropout.js';
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from '../../nn/functional/conv.js';
import { batchNorm, layerNorm } from '../../nn/functional/normalization.js';
import { avgPool1d, avgPool2d, maxPool1d, maxPool2d } from '../../nn/functional/pooling.js';
import { avgPool3d, conv3d, maxPool3d } from '../../nn/functional/volumetric.js';
import { onesLike } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type OpContext, defineOps, fail, input, normAxis, optionalInput, scalarInput } from './registry.js';

interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Symmetric padding per spatial axis, after any asymmetric part was padded explicitly. */
  pads: number[];
  /** The input with the asymmetric padding applied (or the input itself). */
  x: Tensor;
}

/**
 * Reads the window attributes shared by Conv and the pools, resolving auto_pad. Axon's kernels pad
 * symmetrically, so an asymmetric pad (SAME_UPPER with an even kernel, or explicit pads) is applied
 * to the input first, with `padValue`.
 */
function windowOf(ctx: OpContext, x: Tensor, kernel: number[], padValue: number): Window {
  const n = kernel.length;
  if (x.ndim !== n + 2) fail(ctx, `expects an input of rank ${n + 2} for a ${n}-D kernel, got [${x.shape}]`);
  const ones = new Array<number>(n).fill(1);
  const strides = ctx.attrs.ints('strides', ones);
  const dilations = ctx.attrs.ints('dilations', ones);
  if (strides.length !== n || dilations.length !== n) fail(ctx, `strides and dilations need ${n} values`);
  let pads = ctx.attrs.ints('pads', new Array<number>(2 * n).fill(0));
  if (pads.length !== 2 * n) fail(ctx, `pads needs ${2 * n} values, got ${pads.length}`);
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') pads = new Array<number>(2 * n).fill(0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array<number>(2 * n).fill(0);
    for (let i = 0; i < n; i++) {
      const size = x.shape[i + 2]!;
      const out = Math.ceil(size / strides[i]!);
      const total = Math.max(0, (out - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - size);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + n] = total - pads[i]!;
    }
  } else if (autoPad !== 'NOTSET') fail(ctx, `unknown auto_pad '${autoPad}'`);
  const symmetric = pads.slice(0, n).map((b, i) => Math.min(b, pads[i + n]!));
  const extra: number[] = [];
  for (let i = n - 1; i >= 0; i--) extra.push(pads[i]! - symmetric[i]!, pads[i + n]! - symmetric[i]!);
  const padded = extra.some((e) => e !== 0) ? x.pad(extra, { value: padValue }) : x;
  return { kernel, strides, dilations, pads: symmetric, x: padded };
}

function conv(ctx: OpContext): Tensor {
  const x = input(ctx, 0);
  const w = input(ctx, 1);
  const bias = optionalInput(ctx, 2);
  const kernel = ctx.attrs.ints('kernel_shape', w.shape.slice(2));
  const g = windowOf(ctx, x, kernel, 0);
  const groups = ctx.attrs.int('group', 1);
  const opts = { stride: g.strides, padding: g.pads, dilation: g.dilations, groups };
  switch (kernel.length) {
    case 1:
      return conv1d(g.x, w, bias, { ...opts, stride: g.strides[0], padding: g.pads[0], dilation: g.dilations[0] });
    case 2:
      return conv2d(g.x, w, bias, opts as never);
    case 3:
      return conv3d(g.x, w, bias, opts as never);
    default:
      return fail(ctx, `${kernel.length}-D convolution is not supported (1-D to 3-D are)`);
  }
}

function convTranspose(ctx: OpContext): Tensor {
  const x = input(ctx, 0);
  const w = input(ctx, 1);
  const bias = optionalInput(ctx, 2);
  const kernel = ctx.attrs.ints('kernel_shape', w.shape.slice(2));
  const n = kernel.length;
  const ones = new Array<number>(n).fill(1);
  const strides = ctx.attrs.ints('strides', ones);
  const dilations = ctx.attrs.ints('dilations', ones);
  const outPad = ctx.attrs.ints('output_padding', new Array<number>(n).fill(0));
  let pads = ctx.attrs.ints('pads', new Array<number>(2 * n).fill(0));
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  if (ctx.attrs.has('output_shape') || (autoPad !== 'NOTSET' && autoPad !== 'VALID'))
    fail(ctx, 'output_shape and auto_pad SAME are not supported; give pads');
  if (autoPad === 'VALID') pads = new Array<number>(2 * n).fill(0);
  if (pads.some((p, i) => i < n && p !== pads[i + n]))
    fail(ctx, `asymmetric pads [${pads}] are not supported for ConvTranspose`);
  const opts = { groups: ctx.attrs.int('group', 1) };
  if (n === 1)
    return convTranspose1d(x, w, bias, {
      ...opts,
      stride: strides[0],
      padding: pads[0],
      dilation: dilations[0],
      outputPadding: outPad[0],
    });
  if (n === 2)
    return convTranspose2d(x, w, bias, {
      ...opts,
      stride: strides as [number, number],
      padding: pads.slice(0, 2) as [number, number],
      dilation: dilations as [number, number],
      outputPadding: outPad as [number, number],
    });
  return fail(ctx, `${n}-D transposed convolution is not supported (1-D and 2-D are)`);
}

function maxPool(ctx: OpContext): Tensor {
  if (ctx.outputCount > 1) fail(ctx, 'the Indices output is not supported');
  if (ctx.attrs.int('storage_order', 0) !== 0) fail(ctx, 'storage_order 1 is not supported');
  const x = input(ctx, 0);
  const kernel = ctx.attrs.ints('kernel_shape');
  const g = windowOf(ctx, x, kernel, -Infinity);
  const ceilMode = ctx.attrs.int('ceil_mode', 0) === 1;
  switch (kernel.length) {
    case 1:
      return maxPool1d(g.x, kernel[0]!, {
        stride: g.strides[0],
        padding: g.pads[0],
        dilation: g.dilations[0],
        ceilMode,
      });
    case 2:
      return maxPool2d(g.x, kernel as [number, number], {
        stride: g.strides as [number, number],
        padding: g.pads as [number, number],
        dilation: g.dilations as [number, number],
        ceilMode,
      });
    case 3:
      return maxPool3d(g.x, kernel as [number, number, number], {
        stride: g.strides as [number, number, number],
        padding: g.pads as [number, number, number],
        dilation: g.dilations as [number, number, number],
        ceilMode,
      });
    default:
      return fail(ctx, `${kernel.length}-D pooling is not supported (1-D to 3-D are)`);
  }
}

function avgPoolNd(ctx: OpContext, x: Tensor, kernel: number[], strides: number[], pads: number[], o: object): Tensor {
  switch (kernel.length) {
    case 1:
      return avgPool1d(x, kernel[0]!, { stride: strides[0], padding: pads[0], ...o });
    case 2:
      return avgPool2d(x, kernel as [number, number], {
        stride: strides as [number, number],
        padding: pads as [number, number],
        ...o,
      });
    case 3:
      return avgPool3d(x, kernel as [number, number, number], {
        stride: strides as [number, number, number],
        padding: pads as [number, number, number],
        ...o,
      });
    default:
      return fail(ctx, `${kernel.length}-D pooling is not supported (1-D to 3-D are)`);
  }
}

function averagePool(ctx: OpContext): Tensor {
  const x = input(ctx, 0);
  const kernel = ctx.attrs.ints('kernel_shape');
  const includePad = ctx.attrs.int('count_include_pad', 0) === 1;
  const ceilMode = ctx.attrs.int('ceil_mode', 0) === 1;
  if (ctx.attrs.has('dilations') && ctx.attrs.ints('dilations').some((d) => d !== 1))
    fail(ctx, 'dilated average pooling is not supported');
  const g = windowOf(ctx, x, kernel, 0);
  if (g.x === x) return avgPoolNd(ctx, x, kernel, g.strides, g.pads, { ceilMode, countIncludePad: includePad });
  // Asymmetric padding was applied to the input: average the sums over the count of real elements.
  const mask = windowOf(ctx, onesLike(x), kernel, includePad ? 1 : 0).x;
  const opts = { ceilMode, countIncludePad: true };
  const sums = avgPoolNd(ctx, g.x, kernel, g.strides, g.pads, opts);
  const counts = avgPoolNd(ctx, includePad ? onesLike(mask) : mask, kernel, g.strides, g.pads, opts);
  return B.div(sums, counts);
}

function batchNormalization(ctx: OpContext): Tensor | Tensor[] {
  const x = input(ctx, 0);
  const scale = input(ctx, 1);
  const bias = input(ctx, 2);
  const mean = input(ctx, 3);
  const variance = input(ctx, 4);
  const eps = ctx.attrs.float('epsilon', 1e-5);
  if (ctx.opset < 9 && ctx.attrs.int('spatial', 1) !== 1) fail(ctx, 'spatial=0 is not supported');
  // ONNX's momentum weights the old statistics; PyTorch's (and Axon's) weights the new batch.
  const momentum = 1 - ctx.attrs.float('momentum', 0.9);
  const training = ctx.opset >= 14 ? ctx.attrs.int('training_mode', 0) === 1 || ctx.training : ctx.training;
  const y = batchNorm(x, mean, variance, scale, bias, { training, momentum, eps });
  return training && ctx.outputCount > 1 ? [y, mean, variance] : y;
}

/** Opsets before 13 flatten to 2-D at `axis` and normalise the second part; 13 and later use one axis. */
function softmaxLike(fn: (x: Tensor, dim: number) => Tensor) {
  return (ctx: OpContext) => {
    const x = input(ctx, 0);
    if (ctx.opset >= 13) return fn(x, normAxis(ctx, ctx.attrs.int('axis', -1), x.ndim));
    const axis = normAxis(ctx, ctx.attrs.int('axis', 1), Math.max(x.ndim, 1));
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    return reshape(fn(reshape(x, [outer, x.numel / Math.max(outer, 1)]), 1), x.shape);
  };
}

function lrn(ctx: OpContext): Tensor {
  const x = input(ctx, 0);
  const size = ctx.attrs.int('size');
  const alpha = ctx.attrs.float('alpha', 1e-4);
  const beta = ctx.attrs.float('beta', 0.75);
  const bias = ctx.attrs.float('bias', 1);
  const C = x.shape[1]!;
  const before = Math.floor((size - 1) / 2);
  const after = Math.ceil((size - 1) / 2);
  const sq = x.square();
  const pads = new Array<number>(2 * (x.ndim - 2)).fill(0).concat([before, after]);
  const padded = sq.pad(pads);
  let sum = padded.slice(1, 0, C);
  for (let k = 1; k < size; k++) sum = sum.add(padded.slice(1, k, k + C));
  return B.div(
    x,
    sum
      .mul(alpha / size)
      .add(bias)
      .pow(beta),
  );
}

defineOps('', {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: (ctx) => {
    const x = input(ctx, 0);
    return x.mean(
      x.shape.slice(2).map((_, i) => i + 2),
      { keepdim: true },
    );
  },
  GlobalMaxPool: (ctx) => {
    const x = input(ctx, 0);
    return x.amax(
      x.shape.slice(2).map((_, i) => i + 2),
      { keepdim: true },
    );
  },
  BatchNormalization: { impl: batchNormalization, pure: false },
  InstanceNormalization: (ctx) => {
    const x = input(ctx, 0);
    const dims = x.shape.slice(2).map((_, i) => i + 2);
    const eps = ctx.attrs.float('epsilon', 1e-5);
    const mean = x.mean(dims, { keepdim: true });
    const variance = x.sub(mean).square().mean(dims, { keepdim: true });
    const shape = [x.shape[1]!, ...dims.map(() => 1)];
    const y = x.sub(mean).div(variance.add(eps).sqrt());
    return y.mul(input(ctx, 1).reshape(shape)).add(input(ctx, 2).reshape(shape));
  },
  LayerNormalization: (ctx) => {
    if (ctx.outputCount > 1) fail(ctx, 'the Mean and InvStdDev outputs are not supported');
    const x = input(ctx, 0);
    const axis = normAxis(ctx, ctx.attrs.int('axis', -1), x.ndim);
    const eps = ctx.attrs.float('epsilon', 1e-5);
    const normalized = x.shape.slice(axis);
    const scale = input(ctx, 1);
    const bias = optionalInput(ctx, 2);
    const exact = (t?: Tensor) => !t || t.shape.join() === normalized.join();
    if (exact(scale) && exact(bias)) return layerNorm(x, normalized, scale, bias ?? null, eps);
    const y = layerNorm(x, normalized, null, null, eps).mul(scale);
    return bias ? y.add(bias) : y;
  },
  Gemm: (ctx) => {
    let a = input(ctx, 0);
    let b = input(ctx, 1);
    const c = optionalInput(ctx, 2);
    if (a.ndim !== 2 || b.ndim !== 2) fail(ctx, `A and B must be matrices, got [${a.shape}] and [${b.shape}]`);
    if (ctx.attrs.int('transA', 0)) a = a.t();
    if (ctx.attrs.int('transB', 0)) b = b.t();
    const alpha = ctx.attrs.float('alpha', 1);
    const beta = ctx.attrs.float('beta', 1);
    // The usual Gemm (a Linear layer): one fused product-plus-bias instead of a product and an add.
    if (c && alpha === 1 && a.dtype === b.dtype && c.dtype === a.dtype && c.ndim <= 2)
      return addmm(beta === 1 ? c : c.mul(beta), a, b);
    let y = matmul(a, b);
    if (alpha !== 1) y = y.mul(alpha);
    if (c) y = y.add(beta === 1 ? c : c.mul(beta));
    return y;
  },
  MatMul: (ctx) => matmul(input(ctx, 0), input(ctx, 1)),
  Softmax: softmaxLike(softmax),
  LogSoftmax: softmaxLike(logSoftmax),
  Dropout: {
    pure: false,
    impl: (ctx) => {
      const x = input(ctx, 0);
      const ratio = ctx.opset >= 12 ? (scalarInput(ctx, 1) ?? 0.5) : ctx.attrs.float('ratio', 0.5);
      const mode = ctx.opset >= 12 ? scalarInput(ctx, 2) : undefined;
      const training = mode === undefined ? ctx.training : mode !== 0;
      const y = training && ratio > 0 ? dropout(x, ratio, { training: true }) : x;
      if (ctx.outputCount < 2) return y;
      return [y, training ? B.ne(y, 0) : onesLike(x).to('bool')];
    },
  },
  LRN: lrn,
});
