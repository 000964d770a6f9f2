// Reweighing (Kamiran & Calders 2012): weights that make the label independent of the group in the
// training data — w(g, y) = P(g)·P(y) / P(g, y) — for fit's sampleWeights.
import { ValueError } from '../errors.js';
import { fromTypedArray } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { type Sensitive, groupKeys } from './groups.js';

/** One weight per sample [N], float32, averaging 1. */
export function reweighing(labels: Tensor, sensitive: Sensitive): Tensor {
  const op = 'fairness.reweighing';
  if (!(labels instanceof Tensor) || labels.numel === 0)
    throw new ValueError(`${op}: labels must be a non-empty Tensor`);
  const y = (labels.flatten().toArray() as number[]).map(String);
  const n = y.length;
  const g = groupKeys(op, sensitive, n);
  const count = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
  const byGroup = count(g),
    byLabel = count(y),
    byBoth = count(g.map((k, i) => `${k}\u0000${y[i]}`));
  const w = Float32Array.from(
    g,
    (k, i) => (byGroup.get(k)! * byLabel.get(y[i]!)!) / (n * byBoth.get(`${k}\u0000${y[i]}`)!),
  );
  return fromTypedArray(w, [n]);
}
