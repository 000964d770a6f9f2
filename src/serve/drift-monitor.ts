// Live drift monitoring of a served model: a sliding window of the rows it was asked about,
// compared with the reference profile saved beside the model (`<model>.profile.json`).
import { ValueError } from '../errors.js';
import { type DriftReport, detectDrift } from '../monitor/drift.js';
import type { Profile } from '../monitor/profile.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';

export class DriftMonitor {
  private readonly rows: Float64Array;
  private next = 0;
  private filled = 0;
  readonly features: number;

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
  }

  /** Adds a batch [N, F] of inputs to the window. */
  observe(batch: Tensor): void {
    if (batch.ndim !== 2 || batch.shape[1] !== this.features) return;
    const v = batch.to('float64').contiguous().toTypedArray();
    for (let i = 0; i < batch.shape[0]!; i++) {
      this.rows.set(v.subarray(i * this.features, (i + 1) * this.features), this.next * this.features);
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
    return detectDrift(this.profile, current);
  }
}
