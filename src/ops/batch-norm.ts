import { grad } from '../autograd/engine.js';
import { record } from '../autograd/record.js';
import type { Tensor } from '../tensor/tensor.js';
import { backend, empty } from './util.js';

/**
 * Batch norm with batch statistics over x [N, C, ...]: one fused kernel forward and one backward
 * when the backend has them, else the same computation op by op. Returns the output and each
 * channel's mean and biased variance (for the running statistics). Under createGraph the
 * backward goes through the op-by-op form so it is differentiable again. Shapes are checked by
 * nn.functional.batchNorm.
 */
export function fusedBatchNorm(
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): { y: Tensor; mean: Tensor; variance: Tensor } {
  const b = backend();
  const w = weight?.contiguous() ?? null,
    bi = bias?.contiguous() ?? null;
  const sameDType = [w, bi].every((t) => t === null || t.dtype === x.dtype);
  if (!b.batchNorm || !b.batchNormBackward || !sameDType) return composite(x, w, bi, eps);
  const [N, C] = x.shape as [number, number];
  const S = x.numel / Math.max(N * C, 1);
  const flat = x.contiguous().reshape([N, C, S]);
  const out = empty([N, C, S], x.dtype),
    mean = empty([C], x.dtype),
    variance = empty([C], x.dtype),
    rstd = empty([C], x.dtype);
  b.batchNorm(flat, w, bi, eps, out, mean, variance, rstd);
  const inputs = [flat, ...(w ? [w] : []), ...(bi ? [bi] : [])];
  const y = record(
    'batchNorm',
    out,
    inputs,
    (g, needs, ctx) => {
      if (ctx.createGraph) {
        const wanted = inputs.filter((_, i) => needs[i]);
        const gs = grad(composite(flat, w, bi, eps).y, wanted, {
          gradOutputs: [g],
          createGraph: true,
          allowUnused: true,
        });
        let k = 0;
        return inputs.map((_, i) => (needs[i] ? (gs[k++] ?? null) : null));
      }
      const dx = empty([N, C, S], x.dtype);
      const dw = w && needs[1] ? empty([C], x.dtype) : null;
      const db = bi && needs[w ? 2 : 1] ? empty([C], x.dtype) : null;
      b.batchNormBackward!(g.contiguous(), flat, mean, rstd, w, dx, dw, db);
      return [dx, ...(w ? [dw] : []), ...(bi ? [db] : [])];
    },
    [flat],
  );
  return { y: y.reshape(x.shape), mean, variance };
}

function composite(
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): { y: Tensor; mean: Tensor; variance: Tensor } {
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const bshape = x.shape.map((s, i) => (i === 1 ? s : 1));
  const mean = x.mean(dims, { keepdim: true });
  const centered = x.sub(mean);
  const variance = centered.square().mean(dims, { keepdim: true });
  let y = centered.mul(variance.add(eps).rsqrt());
  if (weight) y = y.mul(weight.reshape(bshape));
  if (bias) y = y.add(bias.reshape(bshape));
  const C = x.shape[1]!;
  return { y, mean: mean.detach().reshape(C), variance: variance.detach().reshape(C) };
}
