import { DTypeError, ShapeError, fmtShape } from '../../errors.js';
import { full } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { dropout } from './dropout.js';

export interface AttentionOptions {
  /**
   * [L, S] or [N·heads, L, S] (or any shape broadcasting to [N, heads, L, S]). bool: true marks a
   * position that may NOT be attended (nn.MultiheadAttention's convention); float: added to the scores.
   */
  attnMask?: Tensor | null;
  /** [N, S]; bool true marks padding keys to ignore; float is added. */
  keyPaddingMask?: Tensor | null;
  /** Adds a causal mask (position i attends to j ≤ i). */
  isCausal?: boolean;
  dropoutP?: number;
  training?: boolean;
}

/** A float mask with -inf above the diagonal: position i may attend to j ≤ i. */
export function causalMask(size: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  return full([size, size], -Infinity, { dtype }).triu(1);
}

/** Turns a bool "disallowed" mask into an additive one; float masks pass through. */
function additive(mask: Tensor, dtype: 'float32' | 'float64'): Tensor {
  if (mask.dtype === 'bool') return full(mask.shape, 0, { dtype }).maskedFill(mask, -Infinity);
  if (mask.dtype === 'int32') throw new DTypeError(`attention: masks must be bool or floating point, got int32`);
  return mask;
}

/**
 * softmax(q kᵀ / sqrt(d) + masks) v for q [N, H, L, d], k [N, H, S, d], v [N, H, S, dv].
 * Returns the output [N, H, L, dv] and the attention weights [N, H, L, S].
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionOptions = {},
): [Tensor, Tensor] {
  const [N, Hh, L, d] = q.shape as [number, number, number, number];
  const S = k.shape[2]!;
  const dtype = q.dtype as 'float32' | 'float64';
  let scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(d));
  if (options.isCausal) scores = scores.add(causalMask(L, dtype).narrow(1, 0, S));
  if (options.attnMask) {
    let m = additive(options.attnMask, dtype);
    if (m.ndim === 3) {
      if (m.shape[0] !== N * Hh)
        throw new ShapeError(
          `attention: a 3-D attnMask must be [N·heads, L, S] = [${N * Hh}, ${L}, ${S}], got ${fmtShape(m.shape)}`,
        );
      m = m.reshape(N, Hh, L, S);
    } else if (m.ndim !== 2 || m.shape[0] !== L || m.shape[1] !== S) {
      throw new ShapeError(
        `attention: attnMask must be [L, S] = [${L}, ${S}] or [N·heads, L, S], got ${fmtShape(m.shape)}`,
      );
    }
    scores = scores.add(m);
  }
  if (options.keyPaddingMask) {
    const m = options.keyPaddingMask;
    if (m.ndim !== 2 || m.shape[0] !== N || m.shape[1] !== S)
      throw new ShapeError(`attention: keyPaddingMask must be [N, S] = [${N}, ${S}], got ${fmtShape(m.shape)}`);
    scores = scores.add(additive(m, dtype).reshape(N, 1, 1, S));
  }
  let weights = scores.softmax(-1);
  if (options.dropoutP && options.dropoutP > 0)
    weights = dropout(weights, options.dropoutP, { training: options.training ?? true });
  return [weights.matmul(v), weights];
}
