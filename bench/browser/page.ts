// The browser benchmark's page code (bundled by bench/browser.ts): bench:train's MLP, LeNet-5 and
// LSTM workloads on Axon's JS and WebAssembly backends and on TensorFlow.js's wasm and cpu
// backends, one after the other in the same page, one thread each.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as ax from '../../src/index.js';
import { tfjsAnchor } from '../tfjs-anchor.js';
import { axonThroughput } from '../workloads.js';

export interface PageResult {
  axon: Record<string, Record<string, number>>;
  tfjs: Record<string, Record<string, number>> | string;
  isa: string;
}

export async function run(workloads: string[], seconds: number): Promise<PageResult> {
  const axon: Record<string, Record<string, number>> = { js: {}, wasm: {} };
  ax.setBackend('js');
  for (const w of workloads) axon['js']![w] = axonThroughput(w, seconds);
  await ax.initWasm();
  for (const w of workloads) axon['wasm']![w] = axonThroughput(w, seconds);
  // TensorFlow.js's wasm binaries are served beside the page.
  setWasmPaths('/');
  const tfjs = await tfjsAnchor(workloads, seconds);
  return { axon, tfjs: typeof tfjs === 'string' ? tfjs : tfjs.all, isa: ax.backendInfo().isa ?? '' };
}
