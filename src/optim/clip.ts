import { noGrad } from '../autograd/grad-mode.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Scales all gradients together so that their joint p-norm is at most maxNorm (PyTorch's
 * clip_grad_norm_). Returns the norm before clipping. A non-finite norm raises when asked to.
 */
export function clipGradNorm(
  parameters: Iterable<Tensor>,
  maxNorm: number,
  options: { normType?: number; errorIfNonfinite?: boolean } = {},
): number {
  const p = options.normType ?? 2;
  const grads = [...parameters].map((t) => t.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;
  return noGrad(() => {
    const norms = grads.map((g) => g.norm(p).item());
    const total = p === Infinity ? Math.max(...norms) : norms.reduce((s, n) => s + n ** p, 0) ** (1 / p);
    if (!Number.isFinite(total) && options.errorIfNonfinite) {
      throw new ValueError(
        `clipGradNorm: the total norm of the gradients is ${total}; pass errorIfNonfinite: false to clip anyway`,
      );
    }
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1) for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamps every gradient element into [-clipValue, clipValue]. */
export function clipGradValue(parameters: Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new ValueError(`clipGradValue: clipValue must be non-negative, got ${clipValue}`);
  noGrad(() => {
    for (const t of parameters) t.grad?.clamp_(-clipValue, clipValue);
  });
}

/** L1 penalty Σ|w| over parameters, to add to a loss (differentiable). */
export function l1Penalty(parameters: Iterable<Tensor>): Tensor {
  return sumOf([...parameters].map((p) => p.abs().sum()));
}

/** L2 penalty Σw² over parameters, to add to a loss; weightDecay in the optimizers is the cheaper form. */
export function l2Penalty(parameters: Iterable<Tensor>): Tensor {
  return sumOf([...parameters].map((p) => p.square().sum()));
}

function sumOf(terms: Tensor[]): Tensor {
  if (terms.length === 0) throw new ValueError('penalty: no parameters given');
  return terms.reduce((a, b) => a.add(b));
}
