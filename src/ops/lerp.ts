import { DTypeError } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { asTensor } from './cast.js';
import type { TensorLike } from './util.js';

/** start + weight · (end − start); weight a number or a tensor. */
export function lerp(start: Tensor, end: TensorLike, weight: TensorLike): Tensor {
  if (!isFloating(start.dtype)) throw new DTypeError(`lerp: expected floating-point tensors, got ${start.dtype}`);
  return start.add(asTensor(end, start.dtype).sub(start).mul(weight));
}
