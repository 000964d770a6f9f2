// Model warm-up, as Triton's `model_warmup` does it: a copy of a model runs zero-filled batches of one
// before it serves. V8 compiles a function to fast machine code only after it has run many times, and
// a model's batch goes through a few thousand lines of interpreter code (the ONNX graph walk, op
// checks, tensor bookkeeping). Measured on the 2-vCPU machine here, batch 1 from a fresh load: the
// Fashion-MNIST CNN took 1.0-1.2 ms per run for its first 200 runs and 0.17 ms after 1 000; the digits
// MLP 150 µs for runs 100-400 and 13 µs after 1 000. Without warm-up those slow runs were the server's
// first seconds, and they also told the inline rule (inline-runner.ts) that the model was too slow to
// run on the event loop.
import { axonDType } from '../onnx/dtypes.js';
import type { ValueInfo } from '../onnx/graph.js';
import type { OnnxModule } from '../onnx/module.js';
import { allocArray } from '../tensor/dtype.js';
import { numel } from '../tensor/shape.js';
import { runModel } from './run-model.js';
import type { WireTensors } from './wire.js';

export interface WarmupOptions {
  /** Most batches of one to run (default 1 000). */
  runs?: number;
  /** Most seconds to spend (default 1). 0 turns warm-up off. */
  seconds?: number;
}

const DEFAULT_WARMUP: Required<WarmupOptions> = { runs: 1000, seconds: 1 };

export interface WarmupInputs {
  inputs: WireTensors;
  /**
   * Whether only the batch dimension was free, so the warm-up's times are a batch of one's time;
   * otherwise (free image sizes, sequence lengths) every free dimension was set to 1 and the runs
   * only warm the code.
   */
  timed: boolean;
}

/**
 * Zero-filled inputs of batch size one for a model's declared inputs, every free dimension 1; null
 * when an input has no declared shape or a type Axon cannot hold (strings), so it cannot be warmed.
 */
export function warmupInputs(inputs: ValueInfo[]): WarmupInputs | null {
  const wire: WireTensors = {};
  let timed = true;
  for (const v of inputs) {
    const dtype = axonDType(v.elemType);
    if (dtype === undefined || dtype === 'string' || v.shape === undefined) return null;
    const free = v.shape.map((d) => !(typeof d === 'number' && d > 0));
    if (free.some((f, i) => f && i > 0)) timed = false;
    const shape = v.shape.map((d, i) => (free[i] ? 1 : (d as number)));
    wire[v.name] = {
      dtype,
      shape,
      data: allocArray(dtype, numel(shape)),
    };
  }
  return { inputs: wire, timed };
}

/**
 * Runs batches of one until `runs` or `seconds` is reached; returns their durations in seconds, in
 * order (the last ones are the warm copy's). `pause` (when given) is awaited between
 * slices of about 10 ms, so a warm-up on the server's event loop lets requests and health checks through.
 * A model that fails on zeros stops the warm-up; what ran so far is returned.
 */
export async function warmUp(
  model: OnnxModule,
  inputs: WireTensors,
  options: WarmupOptions = {},
  pause?: () => Promise<void>,
): Promise<number[]> {
  const { runs, seconds } = { ...DEFAULT_WARMUP, ...options };
  const times: number[] = [];
  const started = performance.now();
  let sliceStart = started;
  while (times.length < runs && performance.now() - started < seconds * 1000) {
    const t0 = performance.now();
    try {
      runModel(model, inputs); // reads its inputs, never writes them
    } catch {
      break;
    }
    const t1 = performance.now();
    times.push((t1 - t0) / 1000);
    if (pause && t1 - sliceStart > 10) {
      await pause();
      sliceStart = performance.now();
    }
  }
  return times;
}
