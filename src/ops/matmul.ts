import { record } from '../autograd/record.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { to } from './cast.js';
import type { View } from '../backend/index.js';
import { autocastDtype } from './autocast.js';
import { backend, broadcastView, empty, promote } from './util.js';
import { reshape, squeeze, sumToShape, transpose, unsqueeze } from './views.js';

/**
 * Matrix product with PyTorch's rules: 1-D·1-D is a dot product, a 1-D operand is promoted to a
 * matrix and the added dim removed afterwards, and leading (batch) dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(
      `matmul: both arguments need at least 1 dim, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  if (a.dtype === 'bool' || b.dtype === 'bool')
    throw new DTypeError(`matmul: bool tensors are not supported (got ${a.dtype} and ${b.dtype})`);
  const dtype = promote(a, b);
  const x = to(a, dtype),
    y = to(b, dtype);
  if (x.ndim === 1 && y.ndim === 1) {
    if (x.shape[0] !== y.shape[0])
      throw new ShapeError(
        `matmul: 1-D tensors of sizes ${x.shape[0]} and ${y.shape[0]} cannot be multiplied (dot product needs equal sizes)`,
      );
    return reshape(batched(unsqueeze(x, 0), unsqueeze(y, 1), a, b), []);
  }
  if (x.ndim === 1) return squeeze(batched(unsqueeze(x, 0), y, a, b), -2);
  if (y.ndim === 1) return squeeze(batched(x, unsqueeze(y, 1), a, b), -1);
  return batched(x, y, a, b);
}

/** [..., M, K] @ [..., K, N] with broadcast batch dims; both operands have rank ≥ 2. */
function batched(x: Tensor, y: Tensor, origA: Tensor, origB: Tensor): Tensor {
  const M = x.shape[x.ndim - 2]!,
    K = x.shape[x.ndim - 1]!;
  const K2 = y.shape[y.ndim - 2]!,
    N = y.shape[y.ndim - 1]!;
  if (K !== K2) {
    throw new ShapeError(
      `matmul: shapes ${fmtShape(origA.shape)} and ${fmtShape(origB.shape)} cannot be multiplied (inner sizes ${K} and ${K2} differ)`,
    );
  }
  const batch = broadcastShapes('matmul', x.shape.slice(0, -2), y.shape.slice(0, -2));
  const out = empty([...batch, M, N], x.dtype);
  if (K === 0) backend().fill(out, 0);
  else product(broadcastView(x, [...batch, M, K]), broadcastView(y, [...batch, K, N]), out);
  return record(
    'matmul',
    out,
    [x, y],
    (g, needs) => [
      needs[0] ? sumToShape(batched(g, transpose(y, -1, -2), g, y), x.shape) : null,
      needs[1] ? sumToShape(rightGrad(x, g, y), y.shape) : null,
    ],
    [x, y],
  );
}

/**
 * xᵀ·g, the gradient of a product's right operand y. When y is a transposed contiguous matrix (a
 * Linear layer's weight.t()) it is computed as (gᵀ·x)ᵀ, the same values laid out like y, so that
 * the weight's own gradient (its transpose) is contiguous and the leaf keeps it without a copy.
 */
function rightGrad(x: Tensor, g: Tensor, y: Tensor): Tensor {
  if (x.ndim === 2 && y.ndim === 2 && y.strides[0] === 1 && y.strides[1] === y.shape[0] && y.shape[1]! > 1)
    return transpose(batched(transpose(g, 0, 1), x, g, x), 0, 1);
  return batched(transpose(x, -1, -2), g, x, g);
}

/** The product kernel: bfloat16 operands inside ax.autocast('bfloat16') when the backend has them. */
function product(a: View, b: View, out: Tensor, accumulate = false): void {
  const k = backend();
  if (out.dtype === 'float32' && k.matmulBf16 && autocastDtype() === 'bfloat16') k.matmulBf16(a, b, out, accumulate);
  else k.matmul(a, b, out, accumulate);
}

/**
 * input + a·b for matrices a [M, K], b [K, N], input broadcastable to [M, N] (PyTorch's addmm):
 * one GEMM that accumulates onto the input, so a bias or a precomputed term costs no extra pass.
 */
export function addmm(input: Tensor, a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2 || b.ndim !== 2)
    throw new ShapeError(`addmm: expected 2-D matrices, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const dtype = promote(input, a, b);
  const x = to(a, dtype),
    y = to(b, dtype),
    c = to(input, dtype);
  const [M, K] = x.shape as [number, number];
  const [K2, N] = y.shape as [number, number];
  if (K !== K2)
    throw new ShapeError(
      `addmm: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (inner sizes ${K} and ${K2} differ)`,
    );
  const shape = broadcastShapes('addmm', c.shape, [M, N]);
  if (shape.length !== 2 || shape[0] !== M || shape[1] !== N)
    throw new ShapeError(
      `addmm: input ${fmtShape(input.shape)} does not broadcast to the product's shape [${M}, ${N}]`,
    );
  const out = empty([M, N], dtype);
  backend().copy(broadcastView(c, [M, N]), out);
  if (K > 0) product(x, y, out, true);
  return record(
    'addmm',
    out,
    [c, x, y],
    (g, needs) => [
      needs[0] ? sumToShape(g, c.shape) : null,
      needs[1] ? matmul(g, transpose(y, 0, 1)) : null,
      needs[2] ? rightGrad(x, g, y) : null,
    ],
    [x, y],
  );
}
