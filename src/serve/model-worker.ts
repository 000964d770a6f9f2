// A worker thread holding one copy of a model: it loads the model, then runs each batch it is sent.
// Inference here keeps the server's event loop free for health checks, metrics and new requests.
import { parentPort, workerData } from 'node:worker_threads';
import '../node-host.js'; // tensor methods (the graph's ops use them), platform, backends
import { noGrad } from '../autograd/grad-mode.js';
import { setNumThreads } from '../backend/index.js';
import { load } from '../onnx/load.js';
import type { OnnxModule } from '../onnx/module.js';
import { Tensor } from '../tensor/tensor.js';
import { type WireTensors, buffers, fromWire, toWire } from './wire.js';

export interface WorkerRequest {
  id: number;
  inputs: WireTensors;
}

export type WorkerReply =
  | { type: 'ready'; signature: ReturnType<OnnxModule['signature']> }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; outputs?: WireTensors; error?: { name: string; message: string } };

const port = parentPort!;
const { path, threads } = workerData as { path: string; threads: number };
setNumThreads(threads);
let model: OnnxModule;
try {
  model = load(path).eval();
  port.postMessage({ type: 'ready', signature: model.signature() } satisfies WorkerReply);
} catch (e) {
  port.postMessage({ type: 'failed', message: (e as Error).message } satisfies WorkerReply);
}

port.on('message', (req: WorkerRequest) => {
  try {
    const feeds = Object.fromEntries(Object.entries(req.inputs).map(([k, w]) => [k, fromWire(w)]));
    const result = noGrad(() => model.run(feeds));
    const outputs: WireTensors = {};
    for (const [name, v] of Object.entries(result)) {
      if (!(v instanceof Tensor)) throw new Error(`output '${name}' is not a numeric tensor`);
      outputs[name] = toWire(v);
    }
    port.postMessage({ type: 'result', id: req.id, outputs } satisfies WorkerReply, buffers(outputs));
  } catch (e) {
    const err = e as Error;
    port.postMessage({
      type: 'result',
      id: req.id,
      error: { name: err.name, message: err.message },
    } satisfies WorkerReply);
  }
});
