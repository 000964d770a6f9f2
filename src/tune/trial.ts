import { writeSync } from 'node:fs';
import type { Callback } from '../train/callbacks.js';
import type { Config } from './space.js';

/** What a trial function is given besides its configuration. */
export interface TrialContext {
  readonly trialId: number;
  /** Epochs the trial may train for (the scheduler may stop it sooner). */
  readonly maxEpochs: number;
  /** Reports an epoch's metrics to the tuner, which may stop the trial (its process) right away. */
  report(epoch: number, metrics: Record<string, number>): void;
  /** A fit() callback that reports every epoch's logs (loss, valLoss, valAccuracy, …). */
  reporter(): Callback;
}

/** A trial: trains one configuration; may return its final metrics. */
export type TrialFn = (config: Config, ctx: TrialContext) => unknown;

/** Messages from a trial process to the tuner: one JSON line each, on file descriptor 3. */
export type TrialMessage =
  | { type: 'report'; epoch: number; metrics: Record<string, number> }
  | { type: 'done'; metrics: Record<string, number> }
  | { type: 'error'; message: string };

export const TRIAL_FD = 3;

/**
 * Written synchronously, so a report leaves the process at once even while fit() holds the event
 * loop; the tuner can then stop the trial between epochs.
 */
export function send(message: TrialMessage): void {
  writeSync(TRIAL_FD, `${JSON.stringify(message)}\n`);
}

export function trialContext(trialId: number, maxEpochs: number): TrialContext {
  const report = (epoch: number, metrics: Record<string, number>) => send({ type: 'report', epoch, metrics });
  return {
    trialId,
    maxEpochs,
    report,
    reporter: () => ({ onEpochEnd: (e) => report(e.epoch, e.logs) }),
  };
}
