// Live drift monitoring of a served model: a sliding window of the rows it was asked about (and of
// its predictions, when the profile has them), compared with the reference profile saved beside the
// model (`<model>.profile.json`).
import { ValueError } from '../errors.js';
import { type DriftReport, detectDrift } from '../monitor/drift.js';
import type { Profile } from '../monitor/profile.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';

export class DriftMonitor {
  private readonly rows: Float64Array;
  private readonly predictions: Float64Array | null;
  private next = 0;
  private filled = 0;
  readonly features: number;
  /** Columns of the first output the profile describes (0: no prediction monitoring). */
  readonly outputs: number;

  constructor(
    readonly profile: Profile,
    /** Rows kept (the most recent). */
    readonly window = 500,
    /** Fewer rows than this give no report yet. */
    readonly minRows = 30,
  ) {
    if (!Number.isInteger(window) || window < 2)
      throw new ValueError(`monitor: window must be an integer ≥ 2, got ${window}`);
    this.features = profile.features.length;
    this.rows = new Float64Array(window * this.features);
    this.outputs = profile.predictions?.length ?? 0;
    this.predictions = this.outputs > 0 ? new Float64Array(window * this.outputs) : null;
  }

  /** Adds a batch [N, F] of inputs, and the model's first output for them ([N] or [N, K]), to the window. */
  observe(batch: Tensor, prediction?: Tensor): void {
    if (batch.ndim !== 2 || batch.shape[1] !== this.features) return;
    const v = batch.to('float64').contiguous().toTypedArray();
    // Predictions count only when they have the profile's columns; otherwise rows go in alone.
    const p =
      this.predictions &&
      prediction &&
      prediction.shape[0] === batch.shape[0] &&
      prediction.numel === batch.shape[0]! * this.outputs
        ? prediction.to('float64').contiguous().toTypedArray()
        : null;
    for (let i = 0; i < batch.shape[0]!; i++) {
      this.rows.set(v.subarray(i * this.features, (i + 1) * this.features), this.next * this.features);
      if (p) this.predictions!.set(p.subarray(i * this.outputs, (i + 1) * this.outputs), this.next * this.outputs);
      this.next = (this.next + 1) % this.window;
      this.filled = Math.min(this.window, this.filled + 1);
    }
  }

  get size(): number {
    return this.filled;
  }

  /** The drift of the window against the reference, or null while it holds fewer than minRows rows. */
  report(): DriftReport | null {
    if (this.filled < this.minRows) return null;
    const current = fromTypedArray(this.rows.slice(0, this.filled * this.features), [this.filled, this.features]);
    const predictions = this.predictions
      ? fromTypedArray(this.predictions.slice(0, this.filled * this.outputs), [this.filled, this.outputs])
      : undefined;
    return detectDrift(this.profile, current, { predictions });
  }
}
