// One batch through a loaded model, wire tensors in and out: what a model worker does with each batch,
// and what the server does itself for batches too small to be worth a thread hop (inline-runner.ts).
import { noGrad } from '../autograd/grad-mode.js';
import type { OnnxModule } from '../onnx/module.js';
import { Tensor } from '../tensor/tensor.js';
import { type WireTensors, fromWire, toWire } from './wire.js';

export function runModel(model: OnnxModule, inputs: WireTensors): WireTensors {
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, w]) => [k, fromWire(w)]));
  const result = noGrad(() => model.run(feeds));
  const outputs: WireTensors = {};
  for (const [name, v] of Object.entries(result)) {
    if (!(v instanceof Tensor)) throw new Error(`output '${name}' is not a numeric tensor`);
    outputs[name] = toWire(v);
  }
  return outputs;
}
