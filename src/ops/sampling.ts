// Random draws shaped by tensors: multinomial (categorical sampling), bernoulli, normal. Each takes
// an optional Generator, so a seeded run draws the same values.
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { fromTypedArray, randn, rand } from '../tensor/create.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { asTensor } from './cast.js';

export interface MultinomialOptions {
  /** Draw with replacement (default false: each category at most once per row). */
  replacement?: boolean;
  generator?: Generator;
}

/**
 * Category indices drawn in proportion to the non-negative weights of each row of probs ([C] or
 * [N, C]; they need not sum to 1): int32 [numSamples] or [N, numSamples].
 */
export function multinomial(probs: Tensor, numSamples: number, options: MultinomialOptions = {}): Tensor {
  const op = 'multinomial';
  if (probs.ndim !== 1 && probs.ndim !== 2)
    throw new ShapeError(`${op}: probs must be [C] or [N, C], got ${fmtShape(probs.shape)}`);
  const C = probs.shape[probs.ndim - 1]!,
    N = probs.ndim === 2 ? probs.shape[0]! : 1;
  const replacement = options.replacement ?? false;
  if (!Number.isInteger(numSamples) || numSamples < 1)
    throw new ValueError(`${op}: numSamples must be an integer ≥ 1, got ${numSamples}`);
  const g = options.generator ?? defaultGenerator;
  const w = probs.to('float64').contiguous().toTypedArray() as Float64Array;
  const out = new Int32Array(N * numSamples);
  for (let r = 0; r < N; r++) {
    const row = Array.from(w.subarray(r * C, (r + 1) * C));
    const bad = row.find((v) => !(v >= 0) || !Number.isFinite(v));
    if (bad !== undefined) throw new ValueError(`${op}: weights must be finite and ≥ 0, got ${bad} in row ${r}`);
    const positive = row.filter((v) => v > 0).length;
    if (positive === 0) throw new ValueError(`${op}: row ${r} has no positive weight`);
    if (!replacement && numSamples > positive)
      throw new ValueError(
        `${op}: cannot draw ${numSamples} samples without replacement from ${positive} categories with weight > 0 (row ${r})`,
      );
    for (let s = 0; s < numSamples; s++) {
      const total = row.reduce((a, b) => a + b, 0);
      let u = g.random() * total,
        c = 0;
      while (c < C - 1 && (u >= row[c]! || row[c] === 0)) {
        u -= row[c]!;
        c++;
      }
      // Rounding can leave u past the last positive weight: take the last category with weight.
      while (row[c] === 0) c--;
      out[r * numSamples + s] = c;
      if (!replacement) row[c] = 0;
    }
  }
  return fromTypedArray(out, probs.ndim === 2 ? [N, numSamples] : [numSamples]);
}

/** 1 with probability p, else 0, element-wise (p in [0, 1]); same shape and dtype as p. */
export function bernoulli(p: Tensor, options: { generator?: Generator } = {}): Tensor {
  if (!(p instanceof Tensor) || !p.dtype.startsWith('float'))
    throw new ValueError('bernoulli: p must be a floating-point tensor of probabilities');
  const v = p.contiguous().toTypedArray();
  const bad = Array.from(v).find((x) => !(x >= 0 && x <= 1));
  if (bad !== undefined) throw new ValueError(`bernoulli: probabilities must be in [0, 1], got ${bad}`);
  return rand(p.shape, { dtype: p.dtype, generator: options.generator }).lt(p.detach()).to(p.dtype);
}

/**
 * Normal draws with the given mean and standard deviation: numbers with a shape, or tensors
 * (broadcast together; the result has their shape).
 */
export function normal(
  mean: number | Tensor,
  std: number | Tensor,
  shape?: readonly number[],
  options: { generator?: Generator } = {},
): Tensor {
  const m = asTensor(mean, 'float32'),
    s = asTensor(std, 'float32');
  if (typeof mean === 'number' && typeof std === 'number' && shape === undefined)
    throw new ValueError('normal: give a shape when mean and std are numbers');
  const bad = Array.from(s.contiguous().toTypedArray()).find((v) => !(v >= 0));
  if (bad !== undefined) throw new ValueError(`normal: std must be ≥ 0, got ${bad}`);
  const outShape = shape ?? m.add(s).shape;
  const dtype = m.dtype === 'float64' || s.dtype === 'float64' ? 'float64' : 'float32';
  return randn([...outShape], { dtype, generator: options.generator })
    .mul(s.detach())
    .add(m.detach());
}
