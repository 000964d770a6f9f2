/** train: the fit loop, callbacks and metrics. Pure functions are guarded (src/guard.ts); the ones that run a model check their arguments. */
import { guardAll } from '../guard.js';
import { type DashboardHandle, platform } from '../platform/platform.js';
import * as latency from './latency.js';
import * as metricsModule from './metrics.js';

export const metrics = guardAll(metricsModule, 'train.metrics.');
export {
  fit,
  evaluate,
  predict,
  type FitOptions,
  type History,
  type Batch,
  type MetricFn,
  type DashboardOptions,
} from './trainer.js';
export {
  EarlyStopping,
  ModelCheckpoint,
  MetricsLogger,
  type MetricsLoggerOptions,
  BackupAndRestore,
  type Callback,
  type CallbackState,
  type EpochEnd,
  type TrainBegin,
} from './callbacks.js';
export { measureLatency, type LatencyReport } from './latency.js';
export const { percentile } = guardAll(latency, 'train.');
export { SummaryWriter } from './tensorboard/summary-writer.js';
export { TensorBoardLogger, type TensorBoardLoggerOptions } from './tensorboard/logger.js';
export type { DashboardHandle } from '../platform/platform.js';

/** Serves the live dashboard for a log directory (Node only): see src/dashboard/start.ts. */
export function startDashboard(
  logDir: string,
  options: { port?: number; host?: string; timeoutMs?: number } = {},
): DashboardHandle {
  return platform().startDashboard(logDir, options);
}
