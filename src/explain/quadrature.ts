// Where integrated gradients evaluates the path from the baseline (α = 0) to the input (α = 1), and
// with what weights: Captum's approximation methods.
import { ValueError } from '../errors.js';

export type IntegrationMethod = 'riemannLeft' | 'riemannRight' | 'riemannMiddle' | 'riemannTrapezoid' | 'gaussLegendre';

/** The n points α in [0, 1] and their weights, summing to 1. */
export function integrationPoints(method: IntegrationMethod, n: number): { alphas: number[]; weights: number[] } {
  checkCount('integrationPoints', n);
  switch (method) {
    case 'riemannLeft':
      return { alphas: Array.from({ length: n }, (_, i) => i / n), weights: new Array<number>(n).fill(1 / n) };
    case 'riemannRight':
      return { alphas: Array.from({ length: n }, (_, i) => (i + 1) / n), weights: new Array<number>(n).fill(1 / n) };
    case 'riemannMiddle':
      return { alphas: Array.from({ length: n }, (_, i) => (i + 0.5) / n), weights: new Array<number>(n).fill(1 / n) };
    case 'riemannTrapezoid': {
      if (n < 2) return { alphas: [1], weights: [1] };
      const weights = new Array<number>(n).fill(1 / (n - 1));
      weights[0] = weights[n - 1] = 0.5 / (n - 1);
      return { alphas: Array.from({ length: n }, (_, i) => i / (n - 1)), weights };
    }
    case 'gaussLegendre': {
      const { nodes, weights } = gaussLegendre(n);
      return { alphas: nodes.map((x) => (x + 1) / 2), weights: weights.map((w) => w / 2) };
    }
    default:
      throw new ValueError(
        `integrationPoints: unknown method '${String(method)}' (riemannLeft, riemannRight, riemannMiddle, riemannTrapezoid, gaussLegendre)`,
      );
  }
}

/**
 * Gauss–Legendre nodes and weights on [-1, 1]: the roots of the Legendre polynomial P_n, found by
 * Newton's method from the usual cosine guesses, with weights 2 / ((1 − x²) P_n'(x)²). Exact for
 * polynomials of degree up to 2n − 1.
 */
export function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  checkCount('gaussLegendre', n);
  const nodes = new Array<number>(n),
    weights = new Array<number>(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      // P_n(x) and P_n'(x) by the three-term recurrence.
      let p0 = 1,
        p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      const pn = n === 1 ? x : p1,
        pPrev = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pPrev)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    // Ascending order, as numpy's leggauss.
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = weights[n - 1 - i] = 2 / ((1 - x * x) * dp * dp);
  }
  return { nodes, weights };
}

function checkCount(op: string, n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 100000)
    throw new ValueError(`${op}: n must be an integer in [1, 100000], got ${n}`);
}
