// Prometheus metrics of one server (prom-client, its own registry): requests, latencies by phase,
// batch sizes, queue depth, model load time, and the process's own metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One model version's series, looked up once: prom-client hashes and validates the labels on every
 * call that names them, a few microseconds a request that the server's event loop pays under load.
 */
export interface ModelSeries {
  ok: { inc(): void };
  queue: { observe(v: number): void };
  inference: { observe(v: number): void };
  total: { observe(v: number): void };
  batchSize: { observe(v: number): void };
  queueDepth: { set(v: number): void };
}

export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'model' | 'version' | 'status'>;
  readonly latency: Histogram<'model' | 'version' | 'phase'>;
  readonly batchSize: Histogram<'model' | 'version'>;
  readonly queueDepth: Gauge<'model' | 'version'>;
  readonly loadSeconds: Gauge<'model' | 'version'>;
  readonly warmupSeconds: Gauge<'model' | 'version' | 'thread'>;
  readonly driftShare: Gauge<'model' | 'version'>;
  readonly datasetDrift: Gauge<'model' | 'version'>;
  readonly featureDrift: Gauge<'model' | 'version' | 'feature' | 'method'>;
  readonly featureDrifted: Gauge<'model' | 'version' | 'feature'>;
  readonly predictionDrifted: Gauge<'model' | 'version' | 'output'>;

  private readonly series = new Map<string, ModelSeries>();

  /** The cached series of a model version. */
  of(model: string, version: string): ModelSeries {
    const key = JSON.stringify([model, version]);
    let s = this.series.get(key);
    if (!s) {
      const labels = { model, version };
      s = {
        ok: this.requests.labels({ ...labels, status: '200' }),
        queue: this.latency.labels({ ...labels, phase: 'queue' }),
        inference: this.latency.labels({ ...labels, phase: 'inference' }),
        total: this.latency.labels({ ...labels, phase: 'total' }),
        batchSize: this.batchSize.labels(labels),
        queueDepth: this.queueDepth.labels(labels),
      };
      this.series.set(key, s);
    }
    return s;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'axon_' });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'axon_inference_requests_total',
      help: 'Inference requests by model, version and HTTP status',
      labelNames: ['model', 'version', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'axon_inference_duration_seconds',
      help: 'Time per request: waiting in the batch queue, in inference, and in total',
      labelNames: ['model', 'version', 'phase'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'axon_batch_size',
      help: 'Samples per executed batch',
      labelNames: ['model', 'version'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.driftShare = new Gauge({
      name: 'axon_drift_share',
      help: 'Share of input features drifted in the recent window against the reference profile',
      labelNames: ['model', 'version'],
      registers,
    });
    this.datasetDrift = new Gauge({
      name: 'axon_dataset_drift',
      help: '1 when at least half of the input features drifted, else 0',
      labelNames: ['model', 'version'],
      registers,
    });
    this.featureDrift = new Gauge({
      name: 'axon_feature_drift_statistic',
      help: 'Per-feature drift statistic (KS D, chi-square, Wasserstein, Jensen-Shannon or PSI)',
      labelNames: ['model', 'version', 'feature', 'method'],
      registers,
    });
    this.featureDrifted = new Gauge({
      name: 'axon_feature_drifted',
      help: '1 when the feature drifted against the reference profile, else 0',
      labelNames: ['model', 'version', 'feature'],
      registers,
    });
    this.predictionDrifted = new Gauge({
      name: 'axon_prediction_drifted',
      help: "1 when a column of the model's first output drifted against the reference profile's predictions, else 0",
      labelNames: ['model', 'version', 'output'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'axon_queue_depth',
      help: 'Requests waiting to be batched',
      labelNames: ['model', 'version'],
      registers,
    });
    this.loadSeconds = new Gauge({
      name: 'axon_model_load_seconds',
      help: 'Seconds the model took to load and warm up (all its workers)',
      labelNames: ['model', 'version'],
      registers,
    });
    this.warmupSeconds = new Gauge({
      name: 'axon_model_warmup_seconds',
      help: "Seconds the model's warm-up batches took, in its slowest worker and on the event loop",
      labelNames: ['model', 'version', 'thread'],
      registers,
    });
  }
}
