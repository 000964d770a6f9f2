/** train: the fit loop, callbacks and metrics. */
export * as metrics from './metrics.js';
export { fit, evaluate, predict, type FitOptions, type History, type Batch, type MetricFn } from './trainer.js';
export { EarlyStopping, ModelCheckpoint, MetricsLogger, BackupAndRestore, type Callback, type CallbackState, type EpochEnd, type TrainBegin } from './callbacks.js';
export { measureLatency, percentile, type LatencyReport } from './latency.js';
