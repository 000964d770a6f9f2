// Matrix helpers with PyTorch's names and strict shapes: mm, bmm, outer, diag, trace.
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { fromTypedArray, zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { scatter } from './indexing.js';
import { requireRank } from './logical.js';
import { matmul } from './matmul.js';

/** [n, k] @ [k, m] → [n, m]. */
export function mm(a: Tensor, b: Tensor): Tensor {
  requireRank('mm', a, 2, 'the first matrix');
  requireRank('mm', b, 2, 'the second matrix');
  if (a.shape[1] !== b.shape[0])
    throw new ShapeError(`mm: cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}`);
  return matmul(a, b);
}

/** [B, n, k] @ [B, k, m] → [B, n, m], no broadcasting. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  requireRank('bmm', a, 3, 'the first batch');
  requireRank('bmm', b, 3, 'the second batch');
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1])
    throw new ShapeError(`bmm: cannot multiply batches ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return matmul(a, b);
}

/** a[i] · b[j] for vectors a [n], b [m] → [n, m]. */
export function outer(a: Tensor, b: Tensor): Tensor {
  requireRank('outer', a, 1, 'a');
  requireRank('outer', b, 1, 'b');
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}

const ints = (v: number[]) => fromTypedArray(Int32Array.from(v), [v.length]);

/**
 * A vector [n] becomes a square matrix with it on the `diagonal`-th diagonal; a matrix gives its
 * `diagonal`-th diagonal as a vector (above the main one for diagonal > 0).
 */
export function diag(x: Tensor, diagonal = 0): Tensor {
  if (!Number.isInteger(diagonal)) throw new ValueError(`diag: diagonal must be an integer, got ${diagonal}`);
  if (x.ndim === 1) {
    const n = x.shape[0]!,
      m = n + Math.abs(diagonal);
    const at = Array.from({ length: n }, (_, i) => (diagonal >= 0 ? i * m + i + diagonal : (i - diagonal) * m + i));
    return scatter(zeros([m * m], { dtype: x.dtype }), 0, ints(at), x).reshape(m, m);
  }
  if (x.ndim !== 2) throw new ShapeError(`diag: expected a vector or a matrix, got ${fmtShape(x.shape)}`);
  const [r, c] = x.shape as [number, number];
  const len = Math.max(0, diagonal >= 0 ? Math.min(r, c - diagonal) : Math.min(r + diagonal, c));
  const at = Array.from({ length: len }, (_, i) => (diagonal >= 0 ? i * c + i + diagonal : (i - diagonal) * c + i));
  return x.reshape(r * c).indexSelect(0, ints(at));
}

/** The sum of a matrix's main diagonal. */
export function trace(x: Tensor): Tensor {
  requireRank('trace', x, 2, 'the input');
  return diag(x).sum();
}
