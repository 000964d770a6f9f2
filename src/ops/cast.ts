import { record } from '../autograd/record.js';
import { type DType, checkDType, isFloating } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, backend, empty, scalarTensor } from './util.js';

/** A copy converted to dtype, or t itself when it already has it. Differentiable between floats. */
export function to(t: Tensor, dtype: DType): Tensor {
  checkDType('to', dtype);
  if (t.dtype === dtype) return t;
  const out = empty(t.shape, dtype);
  backend().copy(t, out);
  if (!isFloating(dtype)) return out; // integer results carry no gradient
  return record('to', out, [t], (g) => [to(g, t.dtype)]);
}

/** A scalar or tensor as a tensor of dtype (scalars become 0-d tensors). */
export function asTensor(x: TensorLike, dtype: DType): Tensor {
  return x instanceof Tensor ? to(x, dtype) : scalarTensor(x, dtype);
}
