// Batches small enough run on the server's event loop instead of a model worker. Handing a batch to a
// sleeping worker and being woken by its answer costs 20-90 µs on a virtual machine (measured on the
// 2-vCPU development machine: 15-20 µs for each wake-up when idle, more when the cores are busy), more
// than a small model needs for a small batch. Each batch size's inference time is measured wherever it
// runs (the worker reports its own); a batch runs here only when its size has been measured below the
// limit, so a large model never gets a copy on the main thread and the event loop is never held longer
// than the limit (health checks and metrics keep answering under load).
import { load } from '../onnx/load.js';
import type { OnnxModule } from '../onnx/module.js';
import { runModel } from './run-model.js';
import type { WireTensors } from './wire.js';

/** Batch sizes share an estimate by power of two: 1, 2, 3-4, 5-8, … */
const bucket = (samples: number) => Math.ceil(Math.log2(Math.max(1, samples)));

export class InlineRunner {
  private model: OnnxModule | null = null;
  private failed = false;
  /** The last few measured seconds of each bucket, and their median (robust to a collector pause). */
  private readonly recent = new Map<number, number[]>();
  private readonly median = new Map<number, number>();

  /** `maxSeconds` 0 never runs inline. */
  constructor(
    private readonly path: string,
    private readonly maxSeconds: number,
  ) {}

  /** A batch's measured inference time, wherever it ran. */
  record(samples: number, seconds: number): void {
    const b = bucket(samples);
    const times = this.recent.get(b) ?? [];
    times.push(seconds);
    if (times.length > 15) times.shift();
    this.recent.set(b, times);
    const sorted = [...times].sort((x, y) => x - y);
    this.median.set(b, sorted[sorted.length >> 1]!);
  }

  /** Whether a batch of this many samples is known to run within the limit. */
  wants(samples: number): boolean {
    if (this.maxSeconds <= 0 || this.failed) return false;
    const s = this.median.get(bucket(samples));
    return s !== undefined && s <= this.maxSeconds;
  }

  /** Runs a batch here (the model's copy loads on first use); null when the copy could not load. */
  run(inputs: WireTensors): WireTensors | null {
    if (!this.model) {
      try {
        this.model = load(this.path).eval();
      } catch {
        // The workers loaded this file; if this thread cannot, batches keep going to them.
        this.failed = true;
        return null;
      }
    }
    return runModel(this.model, inputs);
  }
}
