// The inference server: the Open Inference Protocol (KServe v2) REST endpoints, a plain /predict for
// JSON records, Prometheus metrics, dynamic batching onto model worker threads. Fastify: the most
// widely used fast Node HTTP framework, with schema-free JSON parsing limits, body-size limits and
// graceful close built in.
import '../ops/methods.js'; // Tensor methods, when the server is imported without the package entry
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ModelRepository, type ModelSpec, type ServedModel, type ServingOptions } from './repository.js';
import { type ModelSeries, ServerMetrics } from './metrics.js';
import { RequestError, tensorFromJson, tensorToJson } from './tensor-json.js';
import { type WireTensor, type WireTensors, fromWire, toWire } from './wire.js';
import { stack } from '../ops/combine.js';
import { tensor as makeTensor } from '../tensor/create.js';
import { axonDType } from '../onnx/dtypes.js';
import { RequestLog } from './request-log.js';

export interface ServerOptions extends ServingOptions {
  /** Largest request body in bytes (default 16 MiB); larger bodies get 413. */
  bodyLimit?: number;
  /** A request's deadline when it gives none, in milliseconds (default 30 000). */
  requestTimeoutMs?: number;
  /** Let NaN and ±Infinity (written as strings) through as input values (default: refused). */
  allowNonFinite?: boolean;
  /** Fastify's request log (default off). */
  logger?: boolean;
}

interface InferBody {
  id?: unknown;
  inputs?: unknown;
  outputs?: unknown;
  parameters?: { timeout?: unknown };
}

export interface AxonServer {
  app: FastifyInstance;
  repository: ModelRepository;
  metrics: ServerMetrics;
  /** Stops accepting, answers what is in flight, unloads the models. */
  close(): Promise<void>;
}

export async function createServer(models: ModelSpec[], options: ServerOptions = {}): Promise<AxonServer> {
  // Options are checked before any model worker starts, so a bad one leaves nothing running.
  const requestLog = options.requestLog ? new RequestLog(options.requestLog) : null;
  const metrics = new ServerMetrics();
  const repository = new ModelRepository(options, metrics);
  try {
    for (const m of models) await repository.load(m);
  } catch (e) {
    await requestLog?.close();
    throw e;
  }
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024, logger: options.logger ?? false });
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  /** After a successful inference: the drift window and the sampled request log. */
  const seen = (m: ServedModel, inputs: Map<string, WireTensor>, outputs: WireTensors) => {
    const first = outputs[m.outputs[0]!.name];
    if (m.monitor) m.monitor.observe(fromWire(inputs.values().next().value!), first ? fromWire(first) : undefined);
    if (requestLog)
      requestLog.record(
        m.name,
        m.version,
        Object.fromEntries([...inputs].map(([k, v]) => [k, fromWire(v)])),
        Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, fromWire(v)])),
      );
  };
  /** Whether a request's inputs are still needed after inference (their buffers move to a worker). */
  const keepsInputs = (m: ServedModel) => m.monitor !== null || requestLog !== null;

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof RequestError) return reply.status(err.status).headers(err.headers).send({ error: err.message });
    // Fastify's own: malformed JSON (400), body too large (413), unsupported media type (415).
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply.status(status).send({ error: status === 500 ? `internal error: ${err.message}` : err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: `no route ${req.method} ${req.url}` }));

  const serverInfo = { name: 'axon', version: '0.1.0', extensions: ['model_repository_metadata'] };
  app.get('/v2', async () => serverInfo);
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_req, reply) => {
    const ready = repository.all().length > 0;
    return reply.status(ready ? 200 : 503).send({ ready });
  });

  type Params = { name: string; version?: string };
  const model = (req: FastifyRequest) => {
    const p = req.params as Params;
    return repository.get(p.name, p.version);
  };
  for (const prefix of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    app.get(prefix, async (req) => {
      const m = model(req);
      return m.metadata(repository.versions(m.name));
    });
    app.get(`${prefix}/ready`, async (req) => ({ name: model(req).name, ready: true }));
    app.post(`${prefix}/infer`, async (req, reply) => infer(req, reply, model(req)));
    app.get(`${prefix}/monitor`, async (req) => {
      const m = model(req);
      if (!m.monitor)
        throw new RequestError(404, `model '${m.name}' has no reference profile to monitor drift against`);
      const report = driftOf(m);
      return {
        model_name: m.name,
        model_version: m.version,
        window: m.monitor.size,
        ...(report ?? { drift: null, reason: `fewer than ${m.monitor.minRows} rows seen` }),
      };
    });
  }

  /** The drift report of a model's recent inputs, mirrored into the Prometheus gauges. */
  function driftOf(m: ServedModel) {
    const report = m.monitor?.report() ?? null;
    if (!report) return null;
    const labels = { model: m.name, version: m.version };
    metrics.driftShare.set(labels, report.share);
    metrics.datasetDrift.set(labels, report.datasetDrift ? 1 : 0);
    for (const f of report.features) {
      metrics.featureDrift.set({ ...labels, feature: f.name, method: f.method }, f.statistic);
      metrics.featureDrifted.set({ ...labels, feature: f.name }, f.drifted ? 1 : 0);
    }
    for (const f of report.predictions ?? [])
      metrics.predictionDrifted.set({ ...labels, output: f.name }, f.drifted ? 1 : 0);
    return report;
  }

  /** POST /v2/models/{name}/infer: named JSON tensors in, named JSON tensors out. */
  async function infer(req: FastifyRequest, reply: FastifyReply, m: ServedModel) {
    const started = performance.now();
    const labels = { model: m.name, version: m.version };
    const series = metrics.of(m.name, m.version);
    try {
      const body = req.body as InferBody | null;
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw new RequestError(400, 'the body must be a JSON object with "inputs"');
      if (!Array.isArray(body.inputs) || body.inputs.length === 0)
        throw new RequestError(400, '"inputs" must be a non-empty list of tensors');
      const given = new Map<string, WireTensor>();
      body.inputs.forEach((t, i) => {
        const { name, tensor } = tensorFromJson(t, `input ${i}`, options.allowNonFinite);
        if (given.has(name)) throw new RequestError(400, `input '${name}' is given twice`);
        given.set(name, tensor);
      });
      const inputs = checkInputs(m, given, keepsInputs(m));
      const wanted = outputNames(m, body.outputs);
      const { outputs, stats } = await m.batcher.submit(inputs, deadline(started, body.parameters?.timeout));
      seen(m, given, outputs);
      observe(series, started, stats);
      series.ok.inc();
      return {
        model_name: m.name,
        model_version: m.version,
        ...(body.id !== undefined ? { id: String(body.id) } : {}),
        outputs: wanted.map((n) => tensorToJson(n, outputs[n]!)),
      };
    } catch (e) {
      metrics.requests.inc({ ...labels, status: String(e instanceof RequestError ? e.status : 500) });
      throw e;
    } finally {
      series.queueDepth.set(m.batcher.depth);
    }
  }

  /** POST /predict: {"model"?, "instances": [sample, ...]} for a one-input model → {"predictions": [...]}. */
  app.post('/predict', async (req) => {
    const body = req.body as { model?: unknown; version?: unknown; instances?: unknown } | null;
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new RequestError(400, 'the body must be a JSON object with "instances"');
    const all = repository.all();
    const name = typeof body.model === 'string' ? body.model : all.length === 1 ? all[0]!.name : undefined;
    if (name === undefined) throw new RequestError(400, `several models are served: say which with "model"`);
    const m = repository.get(name, typeof body.version === 'string' ? body.version : undefined);
    const started = performance.now();
    const labels = { model: m.name, version: m.version };
    const series = metrics.of(m.name, m.version);
    try {
      if (m.inputs.length !== 1)
        throw new RequestError(400, `/predict serves one-input models; '${m.name}' takes ${m.inputs.length}`);
      const info = m.inputs[0]!;
      if (!Array.isArray(body.instances) || body.instances.length === 0)
        throw new RequestError(400, '"instances" must be a non-empty list of samples');
      const dtype = axonDType(info.elemType);
      if (dtype === undefined || dtype === 'string') throw new RequestError(400, `input '${info.name}' is not numeric`);
      const samples = body.instances.map((s, i) => {
        try {
          return makeTensor(s as number[], { dtype });
        } catch (e) {
          throw new RequestError(400, `instance ${i}: ${(e as Error).message}`);
        }
      });
      if (samples.some((s) => s.shape.join() !== samples[0]!.shape.join()))
        throw new RequestError(400, 'every instance must have the same shape');
      const batch = stack(samples, 0);
      if (!options.allowNonFinite && batch.dtype !== 'int32' && !batch.allFinite())
        throw new RequestError(400, 'instances hold a non-finite value');
      const given = new Map([[info.name, toWire(batch)]]);
      const inputs = checkInputs(m, given, keepsInputs(m));
      const { outputs, stats } = await m.batcher.submit(inputs, deadline(started, undefined));
      seen(m, given, outputs);
      observe(series, started, stats);
      series.ok.inc();
      const out = fromWire(outputs[m.outputs[0]!.name]!);
      return { model_name: m.name, model_version: m.version, predictions: out.toArray() };
    } catch (e) {
      metrics.requests.inc({ ...labels, status: String(e instanceof RequestError ? e.status : 500) });
      throw e;
    }
  });

  app.get('/metrics', async (_req, reply) => {
    for (const m of repository.all()) {
      metrics.of(m.name, m.version).queueDepth.set(m.batcher.depth);
      driftOf(m);
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  function observe(
    series: ModelSeries,
    started: number,
    s: { queueSeconds: number; inferenceSeconds: number; batchSize: number },
  ) {
    series.queue.observe(s.queueSeconds);
    series.inference.observe(s.inferenceSeconds);
    series.total.observe((performance.now() - started) / 1000);
    series.batchSize.observe(s.batchSize);
  }

  function deadline(started: number, timeoutUs: unknown): number {
    if (timeoutUs === undefined) return started + timeoutMs;
    if (typeof timeoutUs !== 'number' || !(timeoutUs > 0))
      throw new RequestError(400, 'parameters.timeout must be a positive number of microseconds');
    return started + timeoutUs / 1000;
  }

  let closing: Promise<void> | null = null;
  return {
    app,
    repository,
    metrics,
    close: () =>
      (closing ??= (async () => {
        // app.close() waits for every connection to end, and a keep-alive client holds its socket
        // for Fastify's keepAliveTimeout (72 s): close each connection as soon as its last request
        // has been answered, so SIGTERM drains in-flight requests and then exits at once.
        const idle = setInterval(() => app.server.closeIdleConnections(), 50);
        try {
          await app.close();
        } finally {
          clearInterval(idle);
        }
        await repository.close();
        await requestLog?.close();
      })()),
  };
}

/**
 * The request's tensors against the model's declared inputs: names, count, dtypes, ranks, fixed sizes.
 * The result's buffers move to a model worker: `copy` keeps `given` readable after inference.
 */
function checkInputs(m: ServedModel, given: Map<string, WireTensor>, copy: boolean): WireTensors {
  const names = m.inputs.map((i) => i.name);
  for (const name of given.keys())
    if (!names.includes(name))
      throw new RequestError(400, `model '${m.name}' has no input '${name}' (inputs: ${names.join(', ')})`);
  const out: WireTensors = {};
  for (const info of m.inputs) {
    const t = given.get(info.name);
    if (!t) throw new RequestError(400, `input '${info.name}' is missing (inputs: ${names.join(', ')})`);
    const want = axonDType(info.elemType);
    if (want && want !== 'string' && t.dtype !== want)
      throw new RequestError(
        400,
        `input '${info.name}' must be ${want === 'float32' ? 'FP32' : want === 'int32' ? 'an integer type' : want.toUpperCase()}, got ${t.dtype}`,
      );
    if (info.shape) {
      const bad =
        t.shape.length !== info.shape.length ||
        info.shape.some((d, k) => typeof d === 'number' && d > 0 && t.shape[k] !== d);
      if (bad)
        throw new RequestError(
          400,
          `input '${info.name}' must have shape [${info.shape.map((d) => (typeof d === 'number' && d > 0 ? d : -1)).join(', ')}], got [${t.shape.join(', ')}]`,
        );
    }
    out[info.name] = copy ? { ...t, data: t.data.slice() } : t;
  }
  return out;
}

function outputNames(m: ServedModel, requested: unknown): string[] {
  const names = m.outputs.map((o) => o.name);
  if (requested === undefined) return names;
  if (!Array.isArray(requested)) throw new RequestError(400, '"outputs" must be a list of {"name": ...}');
  return requested.map((r, i) => {
    const name = (r as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || !names.includes(name))
      throw new RequestError(
        400,
        `outputs[${i}]: no output named ${JSON.stringify(name)} (outputs: ${names.join(', ')})`,
      );
    return name;
  });
}
