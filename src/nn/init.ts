import { noGrad } from '../autograd/grad-mode.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';

// In-place initialisers with PyTorch's formulas. All draw from the seeded generator (or the one
// passed), run without recording gradients, and return the tensor.

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** The recommended gain for a nonlinearity (PyTorch's calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
      return Math.sqrt(2 / (1 + (param ?? 0.01) ** 2));
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError(`calculateGain: unsupported nonlinearity '${nonlinearity as string}'`);
  }
}

/** fan_in = size(1) · receptive field, fan_out = size(0) · receptive field. */
export function fans(t: Tensor): [number, number] {
  if (t.ndim < 2)
    throw new ShapeError(
      `init: fan in and fan out cannot be computed for a tensor with fewer than 2 dims, got ${fmtShape(t.shape)}`,
    );
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

export function uniform(t: Tensor, low = 0, high = 1, generator: Generator = defaultGenerator): Tensor {
  return noGrad(() => t.uniform_(low, high, generator));
}

export function normal(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return noGrad(() => t.normal_(mean, std, generator));
}

export function constant(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

export const zeros = (t: Tensor) => constant(t, 0);
export const ones = (t: Tensor) => constant(t, 1);

export function xavierUniform(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const [fanIn, fanOut] = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound, generator);
}

export function xavierNormal(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const [fanIn, fanOut] = fans(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const [fanIn, fanOut] = fans(t);
  const fan = (o.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
}

export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, -bound, bound, options.generator);
}

export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, options), options.generator);
}

/**
 * A (semi-)orthogonal matrix from the QR decomposition of a normal matrix (modified Gram-Schmidt
 * on the longer side), sign-corrected so the distribution is uniform; higher dims are flattened.
 */
export function orthogonal(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  if (t.ndim < 2) throw new ShapeError(`orthogonal: needs a tensor with at least 2 dims, got ${fmtShape(t.shape)}`);
  const rows = t.shape[0]!,
    cols = t.numel / rows;
  const tall = rows >= cols;
  const n = tall ? rows : cols,
    m = tall ? cols : rows; // orthonormalise m vectors of length n
  const q = new Float64Array(m * n);
  for (let i = 0; i < q.length; i++) q[i] = generator.normal();
  for (let j = 0; j < m; j++) {
    const vj = q.subarray(j * n, (j + 1) * n);
    for (let k = 0; k < j; k++) {
      const vk = q.subarray(k * n, (k + 1) * n);
      let dot = 0;
      for (let i = 0; i < n; i++) dot += vj[i]! * vk[i]!;
      for (let i = 0; i < n; i++) vj[i]! -= dot * vk[i]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += vj[i]! * vj[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) vj[i]! /= norm;
  }
  // q holds m orthonormal vectors of length n as rows: the result is qᵀ (rows × cols) when tall.
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (tall ? q[c * n + r]! : q[r * n + c]!);
  return noGrad(() => t.copy_(fromTypedArray(out, t.shape)));
}
