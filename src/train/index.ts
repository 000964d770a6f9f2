/** train: metrics (the fit loop and callbacks come next). */
export * as metrics from './metrics.js';
