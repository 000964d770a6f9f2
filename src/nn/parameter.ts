import type { Tensor } from '../tensor/tensor.js';
import { Tensor as TensorClass } from '../tensor/tensor.js';
import { show } from '../check.js';
import { ValueError } from '../errors.js';

/**
 * A tensor that is a module's learnable state: a Module finds its Parameters by itself and
 * `requiresGrad` is on by default. Shares memory with the tensor it is made from.
 */
export class Parameter extends TensorClass {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof TensorClass)) throw new ValueError(`Parameter: expected a Tensor, got ${show(data)}`);
    super(data.storage, data.shape, data.strides, data.offset, data.dtype);
    if (requiresGrad) this.requiresGrad = true;
  }
}
