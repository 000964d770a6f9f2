// The entry point of one trial process (started by tune.run): imports the trial module, runs its
// default export with the configuration from the environment, and reports on file descriptor 3.
import '../node-host.js';
import { pathToFileURL } from 'node:url';
import { send, trialContext, type TrialFn } from './trial.js';

const file = process.env['AXON_TUNE_TRIAL_FILE']!;
const config = JSON.parse(process.env['AXON_TUNE_CONFIG']!) as Record<string, unknown>;
const ctx = trialContext(Number(process.env['AXON_TUNE_TRIAL_ID']), Number(process.env['AXON_TUNE_MAX_EPOCHS']));
try {
  const mod = (await import(pathToFileURL(file).href)) as { default?: TrialFn; trial?: TrialFn };
  const fn = mod.default ?? mod.trial;
  if (typeof fn !== 'function')
    throw new Error(`${file} exports no trial function (export default function trial(config, ctx))`);
  const result = await fn(config, ctx);
  const metrics =
    result && typeof result === 'object'
      ? Object.fromEntries(Object.entries(result).filter(([, v]) => typeof v === 'number'))
      : {};
  send({ type: 'done', metrics: metrics as Record<string, number> });
  process.exit(0);
} catch (e) {
  send({ type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  console.error(e);
  process.exit(1);
}
