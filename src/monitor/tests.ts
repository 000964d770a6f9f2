// Two-sample comparisons of a reference and a current sample, with the defaults of the drift tools
// (Evidently): Kolmogorov–Smirnov and chi-square p-values, normalised Wasserstein distance,
// Jensen–Shannon distance, and the population stability index.
import { chiSquareSurvival, kolmogorovSurvival } from './special.js';

const ascending = (v: readonly number[]) => Float64Array.from(v).sort();

/**
 * Two-sample Kolmogorov–Smirnov: D = sup |F_ref − F_cur| over the pooled values, and its asymptotic
 * p-value with Stephens' small-sample correction, Q_KS((√n + 0.12 + 0.11/√n)·D), n = n₁n₂/(n₁+n₂).
 */
export function ksTwoSample(
  reference: readonly number[],
  current: readonly number[],
): { statistic: number; pValue: number } {
  const a = ascending(reference),
    b = ascending(current);
  const n1 = a.length,
    n2 = b.length;
  let i = 0,
    j = 0,
    d = 0;
  while (i < n1 && j < n2) {
    const v = Math.min(a[i]!, b[j]!);
    while (i < n1 && a[i]! <= v) i++;
    while (j < n2 && b[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / n1 - j / n2));
  }
  const n = (n1 * n2) / (n1 + n2);
  const sqrtN = Math.sqrt(n);
  return { statistic: d, pValue: kolmogorovSurvival((sqrtN + 0.12 + 0.11 / sqrtN) * d) };
}

/** Pearson's chi-square of current category counts against the reference's proportions (df = categories − 1). */
export function chiSquare(
  referenceCounts: readonly number[],
  currentCounts: readonly number[],
): { statistic: number; pValue: number } {
  const rTotal = referenceCounts.reduce((s, v) => s + v, 0),
    cTotal = currentCounts.reduce((s, v) => s + v, 0);
  let stat = 0,
    k = 0;
  referenceCounts.forEach((r, i) => {
    const expected = (r / rTotal) * cTotal;
    const observed = currentCounts[i] ?? 0;
    if (expected > 0) {
      stat += (observed - expected) ** 2 / expected;
      k++;
    } else if (observed > 0) stat = Infinity; // a category the reference never saw
  });
  return { statistic: stat, pValue: k > 1 ? chiSquareSurvival(stat, k - 1) : 1 };
}

/** Value of the empirical quantile function of sorted values at u in [0, 1] (linear interpolation). */
export function quantileOf(sorted: ArrayLike<number>, u: number): number {
  const pos = u * (sorted.length - 1);
  const lo = Math.floor(pos),
    hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Wasserstein-1 distance between two empirical distributions given as sorted samples (a quantile
 * grid counts as equally weighted points): ∫|Q₁(u) − Q₂(u)| du of the step quantile functions,
 * exactly, divided by `scale` (the reference's standard deviation, as Evidently normalises it).
 */
export function wassersteinDistance(reference: ArrayLike<number>, current: ArrayLike<number>, scale = 1): number {
  const n1 = reference.length,
    n2 = current.length;
  let i = 0,
    j = 0,
    u = 0,
    sum = 0;
  // Walk the merged breakpoints i/n1 and j/n2; between them both quantile functions are constant.
  while (i < n1 && j < n2) {
    const next = Math.min((i + 1) / n1, (j + 1) / n2);
    sum += (next - u) * Math.abs(reference[i]! - current[j]!);
    u = next;
    if ((i + 1) / n1 <= next) i++;
    if ((j + 1) / n2 <= next) j++;
  }
  return sum / (scale > 0 ? scale : 1);
}

/** Jensen–Shannon distance (the square root of the divergence, natural log) between two count vectors. */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  const ps = p.reduce((a, b) => a + b, 0),
    qs = q.reduce((a, b) => a + b, 0);
  let div = 0;
  p.forEach((pv, i) => {
    const a = pv / ps,
      b = (q[i] ?? 0) / qs,
      m = (a + b) / 2;
    if (a > 0) div += 0.5 * a * Math.log(a / m);
    if (b > 0) div += 0.5 * b * Math.log(b / m);
  });
  return Math.sqrt(Math.max(0, div));
}

/** Population stability index Σ (c − r)·ln(c / r) over bin shares, empty bins counted as 0.0001. */
export function psi(referenceCounts: readonly number[], currentCounts: readonly number[]): number {
  const rt = referenceCounts.reduce((a, b) => a + b, 0),
    ct = currentCounts.reduce((a, b) => a + b, 0);
  return referenceCounts.reduce((s, r, i) => {
    const a = Math.max(r / rt, 1e-4),
      b = Math.max((currentCounts[i] ?? 0) / ct, 1e-4);
    return s + (b - a) * Math.log(b / a);
  }, 0);
}
