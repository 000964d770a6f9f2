import { checkInteger } from '../check.js';
import { ValueError } from '../errors.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import { type Dataset, Subset } from './dataset.js';

function permutation(n: number, g: Generator): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** Sizes from fractions summing to 1 (the remainder goes round-robin, as PyTorch) or explicit counts. */
function sizes(n: number, parts: readonly number[]): number[] {
  if (parts.every((p) => Number.isInteger(p) && p >= 0)) {
    if (parts.reduce((a, b) => a + b, 0) !== n) throw new ValueError(`split: lengths [${parts.join(', ')}] must sum to ${n}`);
    return [...parts];
  }
  const total = parts.reduce((a, b) => a + b, 0);
  if (parts.some((p) => p < 0 || p > 1) || Math.abs(total - 1) > 1e-9) throw new ValueError(`split: fractions [${parts.join(', ')}] must be in [0, 1] and sum to 1`);
  const out = parts.map((p) => Math.floor(n * p));
  let rest = n - out.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % out.length, rest--) out[i]!++;
  return out;
}

/** Random non-overlapping subsets with the given lengths or fractions (PyTorch's random_split). */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator: Generator = defaultGenerator): Subset<T>[] {
  const order = permutation(dataset.length, generator);
  let start = 0;
  return sizes(dataset.length, lengths).map((len) => {
    const part = new Subset(dataset, order.slice(start, start + len));
    start += len;
    return part;
  });
}

/**
 * Index sets with the given fractions that keep each class's share (stratified), e.g.
 * stratifiedSplit(labels, [0.8, 0.2]) for train/test. Within each class the order is random.
 */
export function stratifiedSplit(labels: readonly (number | string)[], fractions: readonly number[], generator: Generator = defaultGenerator): number[][] {
  const byClass = new Map<number | string, number[]>();
  labels.forEach((l, i) => { const list = byClass.get(l) ?? []; list.push(i); byClass.set(l, list); });
  const out: number[][] = fractions.map(() => []);
  for (const members of byClass.values()) {
    const order = permutation(members.length, generator).map((k) => members[k]!);
    let start = 0;
    sizes(members.length, fractions).forEach((len, part) => { out[part]!.push(...order.slice(start, start + len)); start += len; });
  }
  return out.map((idx) => idx.sort((a, b) => a - b));
}

/** k folds for cross-validation: [trainIndices, validationIndices] for each fold. */
export function kFold(n: number, k: number, options: { shuffle?: boolean; generator?: Generator } = {}): [number[], number[]][] {
  checkInteger('kFold', 'n', n, 0);
  checkInteger('kFold', 'k', k, 2, Math.max(2, n));
  if (k > n) throw new ValueError(`kFold: k must be an integer between 2 and ${n}, got ${k}`);
  const order = options.shuffle ? permutation(n, options.generator ?? defaultGenerator) : Array.from({ length: n }, (_, i) => i);
  const folds: [number[], number[]][] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const len = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const val = order.slice(start, start + len);
    folds.push([[...order.slice(0, start), ...order.slice(start + len)], val]);
    start += len;
  }
  return folds;
}
