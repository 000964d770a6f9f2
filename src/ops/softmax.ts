import type { BackwardContext } from '../autograd/node.js';
import { record } from '../autograd/record.js';
import { isFloating } from '../tensor/dtype.js';
import { normalizeDim } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { to } from './cast.js';
import { backend, empty, restride } from './util.js';

/**
 * The fused kernel when the backend has one, else the same math with ops: z = x − max(x) (a max
 * of −∞ taken as 0, as the kernels do), then exp(z)/Σexp(z) or z − log Σexp(z). Subtracting the
 * max first keeps float32 exact where x − logsumexp(x) would round away (x = [1000, 1000]).
 */
function forward(x: Tensor, d: number, log: boolean): Tensor {
  const b = backend();
  if (b.softmax) {
    const input = x.ndim === 0 ? restride(x, [1], [1], x.offset) : x;
    const out = empty(input.shape, x.dtype);
    if (out.numel > 0) b.softmax(input, d, out, log);
    return x.ndim === 0 ? restride(out, [], [], 0) : out;
  }
  const xd = x.detach();
  const m = xd.amax(d, { keepdim: true });
  const z = xd.sub(m.maskedFill(m.eq(-Infinity), 0));
  const e = z.exp();
  const sum = e.sum(d, { keepdim: true });
  return log ? z.sub(sum.log()) : e.div(sum);
}

/** The backend's fused gradient kernel, unless a graph of the backward is being recorded. */
function fusedBackward(g: Tensor, y: Tensor, d: number, log: boolean, ctx: BackwardContext): Tensor | null {
  const b = backend();
  if (!b.softmaxBackward || ctx.createGraph || g.dtype !== y.dtype || y.ndim === 0) return null;
  const dx = empty(y.shape, y.dtype);
  if (dx.numel > 0) b.softmaxBackward(g, y, d, dx, log);
  return dx;
}

export function softmax(x: Tensor, dim: number): Tensor {
  if (!isFloating(x.dtype)) x = to(x, 'float32');
  const d = normalizeDim('softmax', dim, x.ndim);
  const out = forward(x, d, false);
  // dx = y * (g - sum(g * y))
  return record(
    'softmax',
    out,
    [x],
    (g, _needs, ctx) => [fusedBackward(g, out, d, false, ctx) ?? out.mul(g.sub(g.mul(out).sum(d, { keepdim: true })))],
    [out],
  );
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  if (!isFloating(x.dtype)) x = to(x, 'float32');
  const d = normalizeDim('logSoftmax', dim, x.ndim);
  const out = forward(x, d, true);
  // dx = g - exp(y) * sum(g)
  return record(
    'logSoftmax',
    out,
    [x],
    (g, _needs, ctx) => [fusedBackward(g, out, d, true, ctx) ?? g.sub(out.exp().mul(g.sum(d, { keepdim: true })))],
    [out],
  );
}
