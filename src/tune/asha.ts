import { show } from '../check.js';
import { ValueError } from '../errors.js';

export interface AshaOptions {
  /** Epochs a trial may run at most. */
  maxEpochs: number;
  /** Epochs every trial gets before it can be stopped. Default 1. */
  gracePeriod?: number;
  /** Keep the best 1/reductionFactor at each rung. Default 3. */
  reductionFactor?: number;
}

/**
 * Asynchronous successive halving (ASHA, Li et al. 2018, as Ray Tune's AsyncHyperBandScheduler):
 * rungs at gracePeriod·η^k epochs; a trial reaching a rung is stopped when its metric is below the
 * (1 − 1/η) quantile of every result recorded at that rung so far. No trial waits for another, so
 * workers never idle.
 */
export class Asha {
  readonly maxEpochs: number;
  readonly gracePeriod: number;
  readonly reductionFactor: number;
  /** Rung epoch → metrics recorded there (higher is better; 'min' metrics are negated by the caller). */
  readonly rungs = new Map<number, number[]>();

  constructor(options: AshaOptions) {
    const { maxEpochs, gracePeriod = 1, reductionFactor = 3 } = options;
    if (!Number.isInteger(maxEpochs) || maxEpochs < 1)
      throw new ValueError(`tune.asha: maxEpochs must be a positive integer, got ${show(maxEpochs)}`);
    if (!Number.isInteger(gracePeriod) || gracePeriod < 1 || gracePeriod > maxEpochs)
      throw new ValueError(`tune.asha: gracePeriod must be an integer in [1, maxEpochs], got ${show(gracePeriod)}`);
    if (!(reductionFactor > 1))
      throw new ValueError(`tune.asha: reductionFactor must exceed 1, got ${show(reductionFactor)}`);
    this.maxEpochs = maxEpochs;
    this.gracePeriod = gracePeriod;
    this.reductionFactor = reductionFactor;
    for (let r = gracePeriod; r < maxEpochs; r *= reductionFactor) this.rungs.set(Math.round(r), []);
  }

  /** Records a trial's metric after `epoch`; true when the trial should stop. */
  shouldStop(epoch: number, score: number): boolean {
    const recorded = this.rungs.get(epoch);
    if (!recorded || !Number.isFinite(score)) return !Number.isFinite(score);
    recorded.push(score);
    return score < quantile(recorded, 1 - 1 / this.reductionFactor);
  }
}

/** Linear-interpolated quantile (NumPy's default percentile). */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
