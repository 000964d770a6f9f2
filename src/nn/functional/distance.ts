// Similarities and distances between vectors (PyTorch's normalize, cosine_similarity,
// pairwise_distance, cdist) and the gated linear unit — compositions of differentiable ops.
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';

/** x / max(‖x‖_p, eps) along dim (default p 2, dim 1). */
export function normalize(x: Tensor, options: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  const p = options.p ?? 2,
    eps = options.eps ?? 1e-12;
  if (!(p > 0)) throw new ValueError(`normalize: p must be > 0, got ${p}`);
  return x.div(x.norm(p, options.dim ?? 1, { keepdim: true }).clamp(eps, null));
}

/** x₁·x₂ / max(‖x₁‖·‖x₂‖, eps) along dim (default 1), broadcasting. */
export function cosineSimilarity(x1: Tensor, x2: Tensor, options: { dim?: number; eps?: number } = {}): Tensor {
  const dim = options.dim ?? 1,
    eps = options.eps ?? 1e-8;
  const dot = x1.mul(x2).sum(dim);
  const n1 = x1.square().sum(dim),
    n2 = x2.square().sum(dim);
  return dot.div(
    n1
      .mul(n2)
      .clamp(eps * eps, null)
      .sqrt(),
  );
}

/** ‖x₁ − x₂ + eps‖_p over the last dim (default p 2, eps 1e-6). */
export function pairwiseDistance(
  x1: Tensor,
  x2: Tensor,
  options: { p?: number; eps?: number; keepdim?: boolean } = {},
): Tensor {
  return x1
    .sub(x2)
    .add(options.eps ?? 1e-6)
    .norm(options.p ?? 2, -1, { keepdim: options.keepdim ?? false });
}

/** All distances between the rows of x1 [..., P, M] and x2 [..., R, M]: [..., P, R]. */
export function cdist(x1: Tensor, x2: Tensor, p = 2): Tensor {
  if (x1.ndim < 2 || x2.ndim < 2 || x1.shape[x1.ndim - 1] !== x2.shape[x2.ndim - 1])
    throw new ShapeError(
      `cdist: expected [..., P, M] and [..., R, M], got ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}`,
    );
  if (!(p >= 0)) throw new ValueError(`cdist: p must be ≥ 0, got ${p}`);
  return x1.unsqueeze(-2).sub(x2.unsqueeze(-3)).norm(p, -1);
}

/** Gated linear unit: a · sigmoid(b) for the two halves a, b of x along dim (default −1). */
export function glu(x: Tensor, dim = -1): Tensor {
  const d = dim < 0 ? dim + x.ndim : dim;
  const n = x.shape[d];
  if (n === undefined || n % 2 !== 0)
    throw new ShapeError(`glu: dim ${dim} of ${fmtShape(x.shape)} must have an even size`);
  const [a, b] = x.chunk(2, d);
  return a!.mul(b!.sigmoid());
}
