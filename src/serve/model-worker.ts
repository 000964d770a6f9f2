// A worker thread holding one copy of a model: it loads the model, then runs each batch it is sent.
// Inference here keeps the server's event loop free for health checks, metrics and new requests.
import { parentPort, workerData } from 'node:worker_threads';
import '../node-host.js'; // tensor methods (the graph's ops use them), platform, backends
import { setNumThreads } from '../backend/index.js';
import { load } from '../onnx/load.js';
import type { OnnxModule } from '../onnx/module.js';
import { runModel } from './run-model.js';
import { type WarmupOptions, warmUp, warmupInputs } from './warmup.js';
import { type WireTensors, buffers } from './wire.js';

export interface WorkerRequest {
  id: number;
  inputs: WireTensors;
}

export type WorkerReply =
  | {
      type: 'ready';
      signature: ReturnType<OnnxModule['signature']>;
      /** The warm-up's durations in seconds (empty when it did not run or was not timed: warmup.ts). */
      warmup: number[];
    }
  | { type: 'failed'; message: string }
  | {
      type: 'result';
      id: number;
      outputs?: WireTensors;
      /** Seconds the batch took here, from its arrival to its outputs. */
      seconds?: number;
      error?: { name: string; message: string };
    };

const port = parentPort!;
const { path, threads, warmup } = workerData as { path: string; threads: number; warmup: WarmupOptions };
setNumThreads(threads);
let model: OnnxModule;
try {
  model = load(path).eval();
  const signature = model.signature();
  const w = warmupInputs(signature.inputs); // warmUp runs nothing when told 0 runs or seconds
  const times = w ? await warmUp(model, w.inputs, warmup) : [];
  port.postMessage({ type: 'ready', signature, warmup: w?.timed ? times : [] } satisfies WorkerReply);
} catch (e) {
  port.postMessage({ type: 'failed', message: (e as Error).message } satisfies WorkerReply);
}

port.on('message', (req: WorkerRequest) => {
  try {
    const started = performance.now();
    const outputs = runModel(model, req.inputs);
    const seconds = (performance.now() - started) / 1000;
    port.postMessage({ type: 'result', id: req.id, outputs, seconds } satisfies WorkerReply, buffers(outputs));
  } catch (e) {
    const err = e as Error;
    port.postMessage({
      type: 'result',
      id: req.id,
      error: { name: err.name, message: err.message },
    } satisfies WorkerReply);
  }
});
