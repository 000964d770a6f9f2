/** train: the fit loop, callbacks and metrics. */
export * as metrics from './metrics.js';
export { fit, evaluate, predict, type FitOptions, type History, type Batch, type MetricFn } from './trainer.js';
export { EarlyStopping, ModelCheckpoint, MetricsLogger, type Callback, type EpochEnd } from './callbacks.js';
