// A fixed set of model workers: each runs one batch at a time; batches wait for a free worker.
import type { Worker } from 'node:worker_threads';
import { startWorkerScript } from '../worker-script.js';
import type { OnnxModule } from '../onnx/module.js';
import { RequestError } from './tensor-json.js';
import type { WorkerReply, WorkerRequest } from './model-worker.js';
import { type WireTensors, buffers, unshared } from './wire.js';
import { RecentTimes } from './recent-times.js';
import type { WarmupOptions } from './warmup.js';

interface Slot {
  worker: Worker;
  busy: boolean;
}

/** The error a request gets when the model fails on its batch, wherever the batch ran. */
export function inferenceFailed(e: { name: string; message: string }): RequestError {
  return new RequestError(400, `inference failed: ${e.name}: ${e.message}`);
}

/** A batch's outputs and the seconds the worker spent on it. */
export interface PoolResult {
  outputs: WireTensors;
  seconds: number;
}

interface Job {
  inputs: WireTensors;
  resolve: (r: PoolResult) => void;
  reject: (e: Error) => void;
}

const startWorker = (workerData: unknown) => startWorkerScript(import.meta.url, 'model-worker', workerData);

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private readonly running = new Map<number, Job>();
  private nextId = 0;
  /** What handing a batch to a worker costs this thread (postMessage, which wakes a sleeping worker). */
  private readonly sends = new RecentTimes();
  private closed = false;
  signature!: ReturnType<OnnxModule['signature']>;
  /** Each worker's warm-up durations, in seconds (empty lists when there was none). */
  readonly warmups: number[][] = [];

  private constructor(readonly size: number) {}

  /** Starts `size` workers, each loading the model and warming it up; resolves when all are ready. */
  static async start(
    path: string,
    size: number,
    threadsPerWorker: number,
    warmup: WarmupOptions = {},
  ): Promise<WorkerPool> {
    const pool = new WorkerPool(size);
    await Promise.all(
      Array.from(
        { length: size },
        () =>
          new Promise<void>((resolve, reject) => {
            const worker = startWorker({ path, threads: threadsPerWorker, warmup });
            const slot: Slot = { worker, busy: false };
            worker.once('error', reject);
            worker.on('message', (msg: WorkerReply) => {
              if (msg.type === 'ready') {
                pool.signature = msg.signature;
                pool.warmups.push(msg.warmup);
                pool.slots.push(slot);
                resolve();
              } else if (msg.type === 'failed') reject(new Error(msg.message));
              else pool.finish(slot, msg);
            });
            worker.on('exit', (code) => {
              if (!pool.closed) pool.fail(slot, new Error(`model worker exited with code ${code}`));
            });
          }),
      ),
    ).catch(async (e) => {
      await pool.close();
      throw e;
    });
    return pool;
  }

  /** Seconds this thread recently spent handing a batch over (undefined before the first). */
  get sendSeconds(): number | undefined {
    return this.sends.median;
  }

  get busy(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  run(inputs: WireTensors): Promise<PoolResult> {
    if (this.closed) return Promise.reject(new RequestError(503, 'the model is unloading'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ inputs, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.waiting.length === 0) continue;
      const job = this.waiting.shift()!;
      const id = this.nextId++;
      slot.busy = true;
      (slot as Slot & { job?: number }).job = id;
      this.running.set(id, job);
      const started = performance.now();
      const inputs = unshared(job.inputs);
      slot.worker.postMessage({ id, inputs } satisfies WorkerRequest, buffers(inputs));
      this.sends.record((performance.now() - started) / 1000);
    }
  }

  private finish(slot: Slot, msg: Extract<WorkerReply, { type: 'result' }>): void {
    slot.busy = false;
    const job = this.running.get(msg.id);
    this.running.delete(msg.id);
    if (job) {
      if (msg.error) job.reject(inferenceFailed(msg.error));
      else job.resolve({ outputs: msg.outputs!, seconds: msg.seconds ?? 0 });
    }
    this.dispatch();
  }

  private fail(slot: Slot, e: Error): void {
    const id = (slot as Slot & { job?: number }).job;
    if (slot.busy && id !== undefined) {
      this.running.get(id)?.reject(e);
      this.running.delete(id);
    }
    this.slots.splice(this.slots.indexOf(slot), 1);
  }

  /** Lets running batches finish, then stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.reject(new RequestError(503, 'the model is unloading'));
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 5));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
