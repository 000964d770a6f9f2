// Dynamic batching as Triton does it: requests wait up to maxQueueDelayUs for others, and run
// together (concatenated along the batch dimension) up to maxBatchSize; the results are split back.
import { RequestError } from './tensor-json.js';
import type { WireTensor, WireTensors } from './wire.js';
import { allocArray } from '../tensor/dtype.js';

export interface BatchingOptions {
  /** Most samples in one batch (Triton's max_batch_size); 1 disables batching. */
  maxBatchSize: number;
  /**
   * How long the first request of a batch waits for others, in microseconds (Triton's
   * max_queue_delay_microseconds). 0 still batches the requests that arrive in the same turn of the
   * event loop (read from the sockets together): the batch is cut when that turn's I/O is done.
   */
  maxQueueDelayUs: number;
  /** Most requests waiting; past it a request is refused with 429. */
  maxQueueSize: number;
  /** Batches that may run at once (the number of model workers). */
  concurrency: number;
  /** Batch sizes to prefer: a batch is cut at the largest one the queue reaches (Triton's preferred_batch_size). */
  preferredBatchSizes?: number[];
}

export interface BatchStats {
  /** Seconds the request waited in the queue, and in inference. */
  queueSeconds: number;
  inferenceSeconds: number;
  batchSize: number;
}

interface Pending {
  inputs: WireTensors;
  /** Samples in the request (the size of every input's first dimension). */
  n: number;
  /** Requests batch together only when their inputs match in everything but the batch size. */
  key: string;
  enqueued: number;
  deadline: number;
  resolve: (r: { outputs: WireTensors; stats: BatchStats }) => void;
  reject: (e: Error) => void;
}

function keyOf(inputs: WireTensors): string {
  return Object.keys(inputs)
    .sort()
    .map((k) => `${k}:${inputs[k]!.dtype}:${inputs[k]!.shape.slice(1).join('x')}`)
    .join('|');
}

function concat(parts: WireTensor[]): WireTensor {
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((a, p) => a + p.data.length, 0);
  const data = allocArray(parts[0]!.dtype, total);
  let at = 0;
  for (const p of parts) {
    data.set(p.data as never, at);
    at += p.data.length;
  }
  return {
    dtype: parts[0]!.dtype,
    shape: [parts.reduce((a, p) => a + p.shape[0]!, 0), ...parts[0]!.shape.slice(1)],
    data,
  };
}

function sliceRows(t: WireTensor, start: number, rows: number, total: number): WireTensor {
  const per = t.data.length / total;
  return {
    dtype: t.dtype,
    shape: [rows, ...t.shape.slice(1)],
    data: t.data.slice(start * per, (start + rows) * per) as never,
  };
}

export class DynamicBatcher {
  private readonly queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private inflight = 0;

  constructor(
    /** Runs a batch of `samples` samples made of `requests` requests. */
    private readonly run: (inputs: WireTensors, samples: number, requests: number) => Promise<WireTensors>,
    private readonly o: BatchingOptions,
  ) {}

  get depth(): number {
    return this.queue.length;
  }

  /** Queues a request whose inputs all have the batch as their first dimension. */
  submit(inputs: WireTensors, deadline: number): Promise<{ outputs: WireTensors; stats: BatchStats }> {
    if (this.queue.length >= this.o.maxQueueSize)
      return Promise.reject(
        new RequestError(429, `the queue is full (${this.o.maxQueueSize} requests)`, { 'Retry-After': '1' }),
      );
    const sizes = Object.values(inputs).map((t) => t.shape[0]);
    const n = sizes[0] ?? 1;
    const batched = sizes.every((s) => s === n && s !== undefined);
    return new Promise((resolve, reject) => {
      this.queue.push({
        inputs,
        n: batched ? n : 1,
        // Inputs without a common first dimension cannot join a batch: they run alone.
        key: batched && this.o.maxBatchSize > 1 ? keyOf(inputs) : `alone:${Math.random()}`,
        enqueued: performance.now(),
        deadline,
        resolve,
        reject,
      });
      this.schedule();
    });
  }

  private queuedSamples(): number {
    const key = this.queue[0]?.key;
    return this.queue.filter((p) => p.key === key).reduce((a, p) => a + p.n, 0);
  }

  private schedule(): void {
    if (this.queue.length === 0 || this.inflight >= this.o.concurrency) return;
    if (this.queuedSamples() >= this.o.maxBatchSize) {
      this.flush();
      return;
    }
    if (this.o.maxQueueDelayUs <= 0) {
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        this.flush();
      });
      return;
    }
    if (this.timer) return;
    const waited = (performance.now() - this.queue[0]!.enqueued) * 1000;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.flush();
      },
      Math.max(0, (this.o.maxQueueDelayUs - waited) / 1000),
    );
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.immediate) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    const now = performance.now();
    // Requests past their deadline leave the queue with 504, before they cost any inference.
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const p = this.queue[i]!;
      if (p.deadline <= now) {
        this.queue.splice(i, 1);
        p.reject(new RequestError(504, 'the request waited past its deadline'));
      }
    }
    if (this.queue.length === 0 || this.inflight >= this.o.concurrency) return;
    const key = this.queue[0]!.key;
    let limit = this.o.maxBatchSize;
    const preferred = (this.o.preferredBatchSizes ?? [])
      .filter((s) => s <= this.queuedSamples())
      .sort((a, b) => b - a)[0];
    if (preferred !== undefined) limit = preferred;
    const batch: Pending[] = [];
    let samples = 0;
    for (let i = 0; i < this.queue.length;) {
      const p = this.queue[i]!;
      if (p.key === key && (batch.length === 0 || samples + p.n <= limit)) {
        batch.push(p);
        samples += p.n;
        this.queue.splice(i, 1);
      } else i++;
      if (samples >= limit) break;
    }
    this.inflight++;
    const names = Object.keys(batch[0]!.inputs);
    const inputs: WireTensors = {};
    for (const name of names) inputs[name] = concat(batch.map((p) => p.inputs[name]!));
    const started = performance.now();
    this.run(inputs, samples, batch.length)
      .then((outputs) => {
        const inferenceSeconds = (performance.now() - started) / 1000;
        let row = 0;
        for (const p of batch) {
          const mine: WireTensors = {};
          for (const [name, t] of Object.entries(outputs)) {
            if (batch.length === 1) mine[name] = t;
            else if (t.shape[0] !== samples)
              throw new RequestError(500, `output '${name}' has no batch dimension to split ([${t.shape}])`);
            else mine[name] = sliceRows(t, row, p.n, samples);
          }
          row += p.n;
          p.resolve({
            outputs: mine,
            stats: { queueSeconds: (started - p.enqueued) / 1000, inferenceSeconds, batchSize: samples },
          });
        }
      })
      .catch((e: Error) => {
        for (const p of batch) p.reject(e);
      })
      .finally(() => {
        this.inflight--;
        this.schedule();
      });
    this.schedule();
  }

  /** Refuses what is still queued (on unload). */
  drain(reason: RequestError): void {
    for (const p of this.queue.splice(0)) p.reject(reason);
  }
}
