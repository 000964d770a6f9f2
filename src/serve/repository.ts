// The models a server holds: several names, several versions each, loaded into worker pools;
// a new version is loaded beside the old one and swapped in when ready, so no request is dropped.
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { loadProfile } from '../monitor/profile.js';
import { DriftMonitor } from './drift-monitor.js';
import type { RequestLogOptions } from './request-log.js';
import { onnxTypeName } from '../onnx/dtypes.js';
import type { ValueInfo } from '../onnx/graph.js';
import { ValueError } from '../errors.js';
import { type BatchingOptions, DynamicBatcher } from './batcher.js';
import type { ServerMetrics } from './metrics.js';
import { RequestError } from './tensor-json.js';
import { WorkerPool } from './worker-pool.js';
import { InlineRunner, batchRunner } from './inline-runner.js';
import { type WarmupOptions, warmupInputs } from './warmup.js';

export interface ModelSpec {
  /** The name clients use; default: the file name without extension. */
  name?: string;
  /** Path of the .onnx file. */
  path: string;
  version?: string;
  /** A reference profile for drift monitoring (default: <model>.profile.json beside the file, if present). */
  profile?: string;
}

export interface ServingOptions extends Partial<BatchingOptions> {
  /** Model workers per model version (default 1). */
  workers?: number;
  /** Kernel threads per worker (default 1). */
  threadsPerWorker?: number;
  /**
   * Batches measured to take at most this many microseconds run on the event loop instead of a worker
   * (default 1000; 0: always in a worker). See inline-runner.ts.
   */
  inlineMaxUs?: number;
  /**
   * Batches of one each copy of a model runs before it serves, bounded by a count and by seconds
   * (default 1 000 runs, 1 s; `{ seconds: 0 }` turns it off). See warmup.ts.
   */
  warmup?: WarmupOptions;
  /** Rows of recent inputs compared with a model's reference profile (default 500). */
  monitorWindow?: number;
  /** Sampled JSON-lines logging of requests and their predictions (for retraining). */
  requestLog?: RequestLogOptions;
}

export class ServedModel {
  constructor(
    readonly name: string,
    readonly version: string,
    readonly path: string,
    readonly pool: WorkerPool,
    readonly batcher: DynamicBatcher,
    readonly loadSeconds: number,
    /** Drift monitoring against the model's reference profile, when it has one. */
    readonly monitor: DriftMonitor | null = null,
  ) {}

  get inputs(): ValueInfo[] {
    return this.pool.signature.inputs;
  }

  get outputs(): ValueInfo[] {
    return this.pool.signature.outputs;
  }

  /** The model's metadata as the Open Inference Protocol writes it. */
  metadata(versions: string[]) {
    const describe = (v: ValueInfo) => ({
      name: v.name,
      datatype: protocolType(v.elemType),
      shape: (v.shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : -1)),
    });
    return {
      name: this.name,
      versions,
      platform: 'axon_onnx',
      inputs: this.inputs.map(describe),
      outputs: this.outputs.map(describe),
    };
  }
}

function protocolType(elemType: number): string {
  const name = onnxTypeName(elemType);
  const map: Record<string, string> = {
    float: 'FP32',
    double: 'FP64',
    float16: 'FP16',
    int64: 'INT64',
    int32: 'INT32',
    int16: 'INT16',
    int8: 'INT8',
    uint8: 'UINT8',
    bool: 'BOOL',
    string: 'BYTES',
  };
  return map[name] ?? name.toUpperCase();
}

export class ModelRepository {
  private readonly models = new Map<string, Map<string, ServedModel>>();
  /** The version a request without one gets (the last loaded). */
  private readonly current = new Map<string, string>();

  constructor(
    private readonly options: ServingOptions,
    private readonly metrics: ServerMetrics,
  ) {}

  /** Loads a model version (its workers start and load it) and makes it the default for its name. */
  async load(spec: ModelSpec): Promise<ServedModel> {
    if (typeof spec.path !== 'string') throw new ValueError(`serve: a model needs a path, got ${String(spec.path)}`);
    const name = spec.name ?? basename(spec.path, extname(spec.path));
    if (!/^[A-Za-z0-9_.-]+$/.test(name))
      throw new ValueError(`serve: model name '${name}' must be letters, digits, _ . -`);
    const version = spec.version ?? String((this.models.get(name)?.size ?? 0) + 1);
    const workers = this.options.workers ?? 1;
    const started = performance.now();
    const warmup = this.options.warmup ?? {};
    const pool = await WorkerPool.start(spec.path, workers, this.options.threadsPerWorker ?? 1, warmup);
    const inline = new InlineRunner(spec.path, (this.options.inlineMaxUs ?? 1000) / 1e6);
    const warmHere = await inline.warmUp(pool.warmups[0] ?? [], warmupInputs(pool.signature.inputs), warmup);
    const loadSeconds = (performance.now() - started) / 1000;
    const sum = (ts: number[]) => ts.reduce((a, b) => a + b, 0);
    this.metrics.warmupSeconds.set({ model: name, version, thread: 'worker' }, Math.max(0, ...pool.warmups.map(sum)));
    this.metrics.warmupSeconds.set({ model: name, version, thread: 'event_loop' }, sum(warmHere));
    const run = batchRunner(pool, inline);
    const batcher = new DynamicBatcher(run, {
      maxBatchSize: this.options.maxBatchSize ?? 32,
      maxQueueDelayUs: this.options.maxQueueDelayUs ?? 2000,
      maxQueueSize: this.options.maxQueueSize ?? 1024,
      concurrency: workers,
      preferredBatchSizes: this.options.preferredBatchSizes,
    });
    const monitor = this.monitorFor(spec, pool.signature.inputs);
    const model = new ServedModel(name, version, spec.path, pool, batcher, loadSeconds, monitor);
    const versions = this.models.get(name) ?? new Map<string, ServedModel>();
    const replaced = versions.get(version);
    versions.set(version, model);
    this.models.set(name, versions);
    this.current.set(name, version);
    this.metrics.loadSeconds.set({ model: name, version }, loadSeconds);
    // A version loaded again under the same number: the old copy finishes its work, then stops.
    if (replaced) void replaced.pool.close();
    return model;
  }

  /**
   * A drift monitor when the model has a reference profile (given, or <model>.profile.json beside it)
   * and one tabular input [N, F] with as many features as the profile.
   */
  private monitorFor(spec: ModelSpec, inputs: ValueInfo[]): DriftMonitor | null {
    const beside = spec.path.replace(/\.onnx$/i, '') + '.profile.json';
    const path = spec.profile ?? (existsSync(beside) ? beside : null);
    if (!path) return null;
    const profile = loadProfile(path);
    const input = inputs.length === 1 ? inputs[0]! : null;
    const last = input?.shape?.[1];
    if (
      !input ||
      input.shape?.length !== 2 ||
      (typeof last === 'number' && last > 0 && last !== profile.features.length)
    )
      throw new ValueError(
        `serve: the profile ${path} has ${profile.features.length} features; drift monitoring needs a model with one input [N, ${profile.features.length}]`,
      );
    return new DriftMonitor(profile, this.options.monitorWindow ?? 500);
  }

  /** Unloads one version (or every version of the name): queued requests get 503, running ones finish. */
  async unload(name: string, version?: string): Promise<void> {
    const versions = this.models.get(name);
    if (!versions) return;
    const gone = version ? [versions.get(version)].filter((m) => m !== undefined) : [...versions.values()];
    for (const m of gone) {
      versions.delete(m.version);
      m.batcher.drain(new RequestError(503, `model '${name}' version ${m.version} is unloading`));
    }
    if (versions.size === 0) {
      this.models.delete(name);
      this.current.delete(name);
    } else if (!versions.has(this.current.get(name)!)) this.current.set(name, [...versions.keys()].pop()!);
    await Promise.all(gone.map((m) => m.pool.close()));
  }

  /** The served model for a name and optional version, or a 404. */
  get(name: string, version?: string): ServedModel {
    const versions = this.models.get(name);
    if (!versions)
      throw new RequestError(404, `no model named '${name}' (models: ${[...this.models.keys()].join(', ') || 'none'})`);
    const v = version ?? this.current.get(name)!;
    const m = versions.get(v);
    if (!m)
      throw new RequestError(
        404,
        `model '${name}' has no version '${v}' (versions: ${[...versions.keys()].join(', ')})`,
      );
    return m;
  }

  versions(name: string): string[] {
    return [...(this.models.get(name)?.keys() ?? [])];
  }

  all(): ServedModel[] {
    return [...this.models.values()].flatMap((v) => [...v.values()]);
  }

  async close(): Promise<void> {
    await Promise.all([...this.models.keys()].map((n) => this.unload(n)));
  }
}
