import type { Tensor } from '../tensor/tensor.js';
import { pointwise } from './pointwise.js';

// Activation functions: entries of the op table (src/ops/pointwise.ts), re-exported here under
// their names, and SELU, which is ELU scaled.
export const { relu, leakyRelu, elu, gelu, silu, softplus } = pointwise;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

export function selu(x: Tensor): Tensor {
  return elu(x, SELU_ALPHA).mul(SELU_SCALE);
}
