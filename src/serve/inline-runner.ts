// Batches small enough run on the server's event loop instead of a model worker. Handing a batch to a
// sleeping worker costs the event loop 15-90 µs (postMessage waking the thread, measured on the 2-vCPU
// development VM) and the answer wakes the event loop in turn: more than a small model needs for a
// small batch. Inference times are measured where they run, here and in the workers (which report
// their own) kept apart: a worker woken for each batch runs it slower, from cold caches. A batch size
// runs here when its time here is under the limit; before that is known, when the worker's time is
// under four times the limit (to measure it here); a size found too slow here (a first run often is:
// cold code) is measured again now and then. A large model never gets a copy on the main thread.
// Before serving, the model's copies are warmed up (warmup.ts), and their warm batch-of-one times
// are the first estimates.
import { load } from '../onnx/load.js';
import type { OnnxModule } from '../onnx/module.js';
import { runModel } from './run-model.js';
import { RecentTimes } from './recent-times.js';
import type { WireTensors } from './wire.js';
import { type WarmupInputs, type WarmupOptions, warmUp } from './warmup.js';
import { type WorkerPool, inferenceFailed } from './worker-pool.js';

/** Batch sizes share an estimate by power of two: 1, 2, 3-4, 5-8, … */
const bucket = (samples: number) => Math.ceil(Math.log2(Math.max(1, samples)));

/** Every this many refusals of a batch size measured too slow here, it runs here once more. */
const RETRY_EVERY = 16;

export class InlineRunner {
  private model: OnnxModule | null = null;
  private failed = false;
  /** Recent measured seconds by bucket, on this thread and in the workers. */
  private readonly here = new Map<number, RecentTimes>();
  private readonly worker = new Map<number, RecentTimes>();
  private readonly refused = new Map<number, number>();

  /** `maxSeconds` 0 never runs inline. */
  constructor(
    private readonly path: string,
    private readonly maxSeconds: number,
  ) {}

  /** A batch's measured inference time, on this thread or in a worker. */
  record(samples: number, seconds: number, where: 'here' | 'worker'): void {
    const times = where === 'here' ? this.here : this.worker;
    const b = bucket(samples);
    let t = times.get(b);
    if (!t) times.set(b, (t = new RecentTimes()));
    t.record(seconds);
  }

  /** The expected seconds of a batch of this many samples on this thread (or, unmeasured, in a worker). */
  estimate(samples: number): number | undefined {
    const b = bucket(samples);
    return this.here.get(b)?.median ?? this.worker.get(b)?.median;
  }

  /**
   * Whether a batch of this many samples should run here: 'fits' when measured here under the limit,
   * 'try' to measure it here (unmeasured, or measured too slow a while ago, and the worker's time says
   * it is small), else false.
   */
  decide(samples: number): 'fits' | 'try' | false {
    if (this.maxSeconds <= 0 || this.failed) return false;
    const b = bucket(samples);
    const here = this.here.get(b)?.median;
    if (here !== undefined && here <= this.maxSeconds) return 'fits';
    const there = this.worker.get(b)?.median;
    const plausible = there !== undefined && there <= 4 * this.maxSeconds;
    if (here === undefined) return plausible && 'try';
    const n = (this.refused.get(b) ?? 0) + 1;
    this.refused.set(b, n % RETRY_EVERY);
    return n === RETRY_EVERY && plausible && 'try';
  }

  /**
   * Takes a worker's timed warm-up (warmup.ts) as its batch-of-one estimate; then, when that says a
   * batch of one may run here, loads this thread's copy and warms it up too (between slices of it,
   * the event loop serves), so the first lone request is judged on warm times. Returns this thread's
   * warm-up times (empty when it did not warm up here).
   */
  async warmUp(workerTimes: number[], inputs: WarmupInputs | null, options: WarmupOptions): Promise<number[]> {
    if (!inputs?.timed || workerTimes.length === 0) return [];
    for (const t of workerTimes.slice(-15)) this.record(1, t, 'worker');
    if (!this.decide(1) || !this.loaded()) return [];
    const times = await warmUp(this.model!, inputs.inputs, options, () => new Promise((r) => setImmediate(r)));
    for (const t of times.slice(-15)) this.record(1, t, 'here');
    return times;
  }

  /** Loads this thread's copy of the model if it is not loaded; false when it cannot load. */
  private loaded(): boolean {
    if (this.model) return true;
    if (this.failed) return false;
    try {
      this.model = load(this.path).eval();
      return true;
    } catch {
      // The workers loaded this file; if this thread cannot, batches keep going to them.
      this.failed = true;
      return false;
    }
  }

  /**
   * Runs a batch here and records its time (the model's copy loads on first use, outside the time);
   * null when the copy could not load.
   */
  run(inputs: WireTensors, samples: number): WireTensors | null {
    if (!this.loaded()) return null;
    const started = performance.now();
    const outputs = runModel(this.model!, inputs);
    this.record(samples, (performance.now() - started) / 1000, 'here');
    return outputs;
  }
}

/**
 * The batcher's run function: a lone request runs here when it fits the limit; a batch of several
 * only when its time here is below what handing a batch over has recently cost (or to measure that).
 * Otherwise the event loop does the requests' HTTP while a worker runs their batch.
 */
export function batchRunner(pool: WorkerPool, inline: InlineRunner) {
  return async (inputs: WireTensors, samples: number, requests: number): Promise<WireTensors> => {
    const d = inline.decide(samples);
    const here =
      d === 'try' || (d === 'fits' && (requests === 1 || inline.estimate(samples)! <= (pool.sendSeconds ?? 0)));
    if (here) {
      let outputs: WireTensors | null;
      try {
        outputs = inline.run(inputs, samples);
      } catch (e) {
        throw inferenceFailed(e as Error);
      }
      if (outputs) return outputs;
    }
    const { outputs, seconds } = await pool.run(inputs);
    inline.record(samples, seconds, 'worker');
    return outputs;
  };
}
