// Integrated gradients (Sundararajan et al. 2017, Captum's IntegratedGradients): the gradient
// averaged along the straight path from a baseline to the input, times (input − baseline).
import { optionsArg } from '../check.js';
import { ValueError } from '../errors.js';
import { cat } from '../ops/combine.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { type IntegrationMethod, integrationPoints } from './quadrature.js';
import {
  type Forward,
  type TargetOptions,
  baselineLike,
  checkInputs,
  gradientsOf,
  outputsOf,
  perSample,
  targetIndices,
  tileTargets,
} from './target.js';

export interface IntegratedGradientsOptions extends TargetOptions {
  /** The reference input: a number, one sample or a batch (default 0, a black image). */
  baseline?: number | Tensor;
  /** Points on the path (default 50). */
  steps?: number;
  /** How the path integral is approximated (default 'gaussLegendre', as Captum). */
  method?: IntegrationMethod;
  /** At most this many path points per forward/backward pass (default: all steps × N at once). */
  internalBatchSize?: number;
}

export interface IntegratedGradientsResult {
  /** Same shape as the inputs. */
  attributions: Tensor;
  /** Completeness error per sample [N]: Σ attributions − (f(input) − f(baseline)). */
  delta: Tensor;
}

export function integratedGradients(
  model: Forward,
  inputs: Tensor,
  options: IntegratedGradientsOptions = {},
): IntegratedGradientsResult {
  optionsArg('explain.integratedGradients', options);
  const op = 'explain.integratedGradients';
  const x = checkInputs(op, inputs).detach();
  const N = x.shape[0]!;
  const steps = options.steps ?? 50;
  if (!Number.isInteger(steps) || steps < 1) throw new ValueError(`${op}: steps must be an integer ≥ 1, got ${steps}`);
  const chunk = options.internalBatchSize ?? steps * N;
  if (!Number.isInteger(chunk) || chunk < 1)
    throw new ValueError(`${op}: internalBatchSize must be an integer ≥ 1, got ${chunk}`);
  const method = options.method ?? 'gaussLegendre';
  const { alphas, weights } = integrationPoints(method, steps);
  const targets = targetIndices(op, options.target, N);
  const base = baselineLike(op, options.baseline, x);
  const diff = x.sub(base);

  // The path points, step-major: rows [s·N, (s+1)·N) are baseline + α_s · (x − baseline). Each
  // pass takes whole steps where it can, and splits a step when internalBatchSize is smaller than N.
  // Weighted gradients are summed per sample in float64.
  const per = x.numel / N;
  const sum = new Float64Array(x.numel);
  const rows = steps * N;
  for (let start = 0; start < rows; start += chunk) {
    const end = Math.min(rows, start + chunk);
    const runs: { s: number; from: number; len: number }[] = [];
    for (let r = start; r < end;) {
      const from = r % N,
        len = Math.min(N - from, end - r);
      runs.push({ s: Math.floor(r / N), from, len });
      r += len;
    }
    const parts = runs.map(({ s, from, len }) =>
      base.narrow(0, from, len).add(diff.narrow(0, from, len).mul(alphas[s]!)),
    );
    const ids = runs.flatMap(({ from, len }) => Array.from({ length: len }, (_, i) => from + i));
    const { grads } = gradientsOf(
      op,
      model,
      parts.length === 1 ? parts[0]! : cat(parts, 0),
      targets && ids.map((i) => targets[i]!),
    );
    const g = grads.contiguous().toTypedArray();
    let row = 0;
    for (const { s, from, len } of runs) {
      const w = weights[s]!;
      for (let i = 0; i < len; i++, row++) {
        const dst = (from + i) * per,
          src = row * per;
        for (let k = 0; k < per; k++) sum[dst + k]! += w * g[src + k]!;
      }
    }
  }
  const total = fromTypedArray(x.dtype === 'float64' ? sum : Float32Array.from(sum), x.shape);
  const attributions = total.mul(diff);
  const ends = outputsOf(op, model, cat([x, base], 0), tileTargets(targets, 2));
  const delta = perSample(attributions).sub(ends.narrow(0, 0, N).sub(ends.narrow(0, N, N)));
  return { attributions, delta };
}
