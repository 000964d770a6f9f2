import type { WindowGeometry } from '../backend/index.js';
import { record } from '../autograd/record.js';
import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { backend, empty } from './util.js';

export type { WindowGeometry };

function checkImage(x: Tensor, geometry: WindowGeometry): void {
  if (x.ndim !== 4 || x.shape[2] !== geometry.input[0] || x.shape[3] !== geometry.input[1]) {
    throw new ShapeError(`unfold: expected [N, C, ${geometry.input.join(', ')}], got ${fmtShape(x.shape)}`);
  }
}

/**
 * Sliding windows of a [N, C, H, W] tensor as [N, C, kh, kw, outH, outW] (im2col). Positions in
 * the padding read `padValue`. Its gradient is fold(); fold's is unfold, so both differentiate twice.
 */
export function unfoldWindows(x: Tensor, geometry: WindowGeometry, padValue = 0): Tensor {
  checkImage(x, geometry);
  const [N, C] = x.shape as [number, number];
  const out = empty([N, C, ...geometry.kernel, ...geometry.output], x.dtype);
  if (out.numel > 0) backend().im2col(x, geometry, padValue, out);
  return record('unfold', out, [x], (g) => [foldWindows(g, geometry)]);
}

/**
 * The windows of a whole batch as one matrix [C·kh·kw, N·outH·outW] (im2col with the batch folded
 * into the columns), so a convolution is a single large GEMM instead of N small ones. The
 * kernel writes straight into that layout through a permuted view; the gradient folds back.
 */
export function unfoldColumns(x: Tensor, geometry: WindowGeometry, padValue = 0): Tensor {
  checkImage(x, geometry);
  const [N, C] = x.shape as [number, number];
  const [kh, kw] = geometry.kernel,
    [oh, ow] = geometry.output;
  const buffer = empty([C, kh, kw, N, oh, ow], x.dtype);
  if (buffer.numel > 0) backend().im2col(x, geometry, padValue, buffer.permute(3, 0, 1, 2, 4, 5));
  const out = buffer.reshape(C * kh * kw, N * oh * ow);
  return record('unfoldColumns', out, [x], (g) => [
    foldWindows(g.reshape(C, kh, kw, N, oh, ow).permute(3, 0, 1, 2, 4, 5), geometry),
  ]);
}

/** Sums windows [N, C, kh, kw, outH, outW] back into a [N, C, H, W] image (col2im). */
export function foldWindows(cols: Tensor, geometry: WindowGeometry): Tensor {
  const [N, C] = cols.shape as [number, number];
  const out = empty([N, C, ...geometry.input], cols.dtype);
  if (cols.numel > 0) backend().col2im(cols, geometry, out);
  return record('fold', out, [cols], (g) => [unfoldWindows(g, geometry, 0)]);
}

/** The number of window positions along one dim (PyTorch's formula, with ceil mode for pooling). */
export function windowCount(
  size: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation: number,
  ceilMode = false,
): number {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  let n = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // In ceil mode the last window must start inside the input or the left padding.
  if (ceilMode && (n - 1) * stride >= size + padding) n--;
  return n;
}
