import { ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkModel, inEvalMode } from './eval-mode.js';
import { optionsArg, tensorArg } from '../check.js';

/** The p-th percentile (0–100) of `values` by linear interpolation between order statistics. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new ValueError('percentile: no values');
  if (!(p >= 0 && p <= 100)) throw new ValueError(`percentile: p must be in [0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface LatencyReport {
  /** Milliseconds per forward pass. */
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  runs: number;
}

/**
 * Inference latency of `model(input)`: eval mode, no gradients, `warmup` untimed runs (JIT and
 * caches), then `runs` timed ones. Use a batch of one for the latency a served request sees.
 */
export function measureLatency(
  model: Module,
  input: Tensor,
  o: { warmup?: number; runs?: number } = {},
): LatencyReport {
  checkModel('measureLatency', model);
  tensorArg('measureLatency', 'input', input);
  optionsArg('measureLatency', o);
  const warmup = o.warmup ?? 20,
    runs = o.runs ?? 200;
  if (!Number.isInteger(runs) || runs < 1)
    throw new ValueError(`measureLatency: runs must be a positive integer, got ${runs}`);
  return inEvalMode(model, () => {
    for (let i = 0; i < warmup; i++) model.forward(input);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      model.forward(input);
      times.push(performance.now() - t0);
    }
    return {
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      p99: percentile(times, 99),
      mean: times.reduce((a, b) => a + b, 0) / runs,
      runs,
    };
  });
}
