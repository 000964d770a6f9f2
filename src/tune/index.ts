/**
 * Hyper-parameter search (in the manner of Ray Tune): a search space, random or grid search, ASHA
 * early stopping, trials in parallel processes. See the README's "Hyper-parameter search".
 */
import { Asha, type AshaOptions } from './asha.js';

export { uniform, logUniform, integer, choice, sampleConfig, gridConfigs } from './space.js';
export type { Domain, SearchSpace, Config } from './space.js';
export { Asha } from './asha.js';
export type { AshaOptions } from './asha.js';
export { run, resultsTable } from './run.js';
export { spaceFromJson } from './space-json.js';
export type { TuneOptions, TuneResult, TrialResult, TrialStatus } from './run.js';
export type { TrialContext, TrialFn } from './trial.js';

/** An ASHA scheduler for tune.run's `scheduler`. */
export function asha(options: AshaOptions): Asha {
  return new Asha(options);
}
