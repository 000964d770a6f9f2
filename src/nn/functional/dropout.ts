import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { dropoutMask } from '../../tensor/create.js';
import type { Generator } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface DropoutOptions {
  training?: boolean;
  generator?: Generator;
}

function checkP(op: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: probability must be between 0 and 1, got ${p}`);
}

/** Zeroes each element with probability p and scales the rest by 1/(1-p), in training only. */
export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  checkP('dropout', p);
  if (!(options.training ?? true) || p === 0) return x;
  if (p === 1) return x.mul(0);
  return x.mul(dropoutMask(x.shape, p, 1 / (1 - p), { generator: options.generator, dtype: x.dtype }));
}

/** Zeroes whole channels (x [N, C, ...] or unbatched [C, ...]) with probability p. */
export function dropout2d(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  checkP('dropout2d', p);
  if (x.ndim < 2) throw new ShapeError(`dropout2d: expected input [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
  if (!(options.training ?? true) || p === 0) return x;
  if (p === 1) return x.mul(0);
  const channelDims = x.ndim === 3 ? 1 : 2;
  const maskShape = x.shape.map((s, i) => (i < channelDims ? s : 1));
  return x.mul(dropoutMask(maskShape, p, 1 / (1 - p), { generator: options.generator, dtype: x.dtype }));
}
