import { record } from '../autograd/record.js';
import { DTypeError } from '../errors.js';
import { broadcastShapes } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { asTensor } from './cast.js';
import { type TensorLike, backend, broadcastView, empty, promote } from './util.js';
import { sumToShape } from './views.js';

/** cond ? a : b elementwise, broadcasting all three; cond must be bool. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool')
    throw new DTypeError(`where: the condition must be a bool tensor, got dtype ${cond.dtype}`);
  const dtype = promote(a, b);
  const x = asTensor(a, dtype),
    y = asTensor(b, dtype);
  const shape = broadcastShapes('where', cond.shape, x.shape, y.shape);
  const out = empty(shape, x.dtype);
  backend().where(broadcastView(cond, shape), broadcastView(x, shape), broadcastView(y, shape), out);
  return record('where', out, [x, y], (g, needs) => [
    needs[0] ? sumToShape(where(cond, g, 0), x.shape) : null,
    needs[1] ? sumToShape(where(cond, 0, g), y.shape) : null,
  ]);
}
