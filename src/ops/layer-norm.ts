import { grad } from '../autograd/engine.js';
import { record } from '../autograd/record.js';
import type { Tensor } from '../tensor/tensor.js';
import { backend, empty } from './util.js';

/**
 * Layer norm over the last `D` elements of each row, with one fused kernel forward and one
 * backward when the backend has them (the mean and 1/std of each row are kept for backward).
 * Under createGraph the backward is taken through the same computation written with ops.
 * Shapes are checked by nn.functional.layerNorm.
 */
export function fusedLayerNorm(x: Tensor, D: number, w: Tensor | null, bi: Tensor | null, eps: number): Tensor {
  const b = backend();
  const sameDType = [w, bi].every((t) => t === null || t.dtype === x.dtype);
  if (!b.layerNorm || !b.layerNormBackward || !sameDType) return composite(x, D, w, bi, eps);
  const weight = w ? w.reshape(D) : null,
    bias = bi ? bi.reshape(D) : null;
  const rows = x.contiguous().reshape(-1, D);
  const R = rows.shape[0]!;
  const out = empty([R, D], x.dtype),
    mean = empty([R], x.dtype),
    rstd = empty([R], x.dtype);
  b.layerNorm(rows, weight, bias, eps, out, mean, rstd);
  const inputs = [rows, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const y = record(
    'layerNorm',
    out,
    inputs,
    (g, needs, ctx) => {
      if (ctx.createGraph) {
        // createGraph: differentiate the op-by-op form so the result is differentiable again.
        const wanted = inputs.filter((_, i) => needs[i]);
        const gs = grad(composite(rows, D, weight, bias, eps), wanted, {
          gradOutputs: [g],
          createGraph: true,
          allowUnused: true,
        });
        let k = 0;
        return inputs.map((_, i) => (needs[i] ? (gs[k++] ?? null) : null));
      }
      const dx = empty([R, D], x.dtype);
      const dw = weight && needs[1] ? empty([D], x.dtype) : null;
      const db = bias && needs[weight ? 2 : 1] ? empty([D], x.dtype) : null;
      b.layerNormBackward!(g.contiguous(), rows, mean, rstd, weight, dx, dw, db);
      return [dx, ...(weight ? [dw] : []), ...(bias ? [db] : [])];
    },
    [rows],
  );
  return y.reshape(x.shape);
}

function composite(x: Tensor, D: number, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const rows = x.reshape(-1, D);
  const centered = rows.sub(rows.mean(1, { keepdim: true }));
  let y = centered.mul(centered.square().mean(1, { keepdim: true }).add(eps).rsqrt());
  if (weight) y = y.mul(weight.reshape(D));
  if (bias) y = y.add(bias.reshape(D));
  return y.reshape(x.shape);
}
