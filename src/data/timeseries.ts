import { ShapeError, ValueError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { fromTypedArray } from '../tensor/create.js';
import { TensorDataset } from './dataset.js';

export interface WindowOptions {
  /** Time steps the model sees. */
  window: number;
  /** Steps ahead to predict (default 1). */
  horizon?: number;
  /** Steps between the starts of consecutive windows (default 1). */
  stride?: number;
  /** Feature columns to predict (default: all). */
  targets?: number[];
}

/**
 * Sliding windows over a series of shape [time] or [time, features]: inputs [n, window, features]
 * and targets [n, horizon, targets] (the steps right after each window). Split the series in time
 * before windowing so validation windows never overlap training ones.
 */
export function timeSeriesWindows(series: Tensor, o: WindowOptions): TensorDataset {
  const x = series.ndim === 1 ? series.unsqueeze(1) : series;
  if (x.ndim !== 2) throw new ShapeError(`timeSeriesWindows: expected a series of shape [time] or [time, features], got ${fmtShape(series.shape)}`);
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new ValueError(`timeSeriesWindows: expected a float series, got ${x.dtype}`);
  const [T, F] = x.shape as [number, number];
  const W = o.window, H = o.horizon ?? 1, S = o.stride ?? 1;
  for (const [k, v] of [['window', W], ['horizon', H], ['stride', S]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ValueError(`timeSeriesWindows: ${k} must be a positive integer, got ${v}`);
  }
  const cols = o.targets ?? Array.from({ length: F }, (_, i) => i);
  for (const c of cols) if (!Number.isInteger(c) || c < 0 || c >= F) throw new ValueError(`timeSeriesWindows: target column ${c} is out of range for ${F} features`);
  const n = T >= W + H ? Math.floor((T - W - H) / S) + 1 : 0;
  if (n === 0) throw new ValueError(`timeSeriesWindows: a series of ${T} steps is too short for a window of ${W} plus a horizon of ${H}`);
  const start = new Int32Array(n * W), next = new Int32Array(n * H);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < W; t++) start[i * W + t] = i * S + t;
    for (let h = 0; h < H; h++) next[i * H + h] = i * S + W + h;
  }
  const inputs = x.indexSelect(0, fromTypedArray(start)).reshape([n, W, F]);
  const picked = x.indexSelect(1, fromTypedArray(Int32Array.from(cols)));
  const targets = picked.indexSelect(0, fromTypedArray(next)).reshape([n, H, cols.length]);
  return new TensorDataset(inputs, targets);
}
