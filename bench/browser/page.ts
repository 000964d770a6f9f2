// The browser benchmark's page code (bundled by bench/browser.ts): bench:train's MLP, LeNet-5 and
// LSTM workloads on Axon's JS and WebAssembly backends and on TensorFlow.js's wasm and cpu
// backends, one after the other in the same page, one thread each.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as ax from '../../src/index.js';
import { tfjsAnchor } from '../tfjs-anchor.js';
import { axonThroughput, deviceThroughput } from '../workloads.js';

export interface PageResult {
  axon: Record<string, Record<string, number>>;
  tfjs: Record<string, Record<string, number>> | string;
  isa: string;
  /** The WebGPU adapter's vendor and architecture ('' without one). */
  gpu: string;
}

export async function run(workloads: string[], seconds: number): Promise<PageResult> {
  const axon: Record<string, Record<string, number>> = { js: {}, wasm: {} };
  ax.setBackend('js');
  for (const w of workloads) axon['js']![w] = axonThroughput(w, seconds);
  await ax.initWasm();
  for (const w of workloads) axon['wasm']![w] = axonThroughput(w, seconds);
  let gpu: string;
  try {
    await ax.initWebGpu();
    const adapter = await (
      navigator as unknown as { gpu: { requestAdapter(): Promise<{ info: { vendor: string; architecture: string } }> } }
    ).gpu.requestAdapter();
    gpu = `${adapter.info.vendor} ${adapter.info.architecture}`;
    axon['webgpu'] = {};
    for (const w of workloads) axon['webgpu']![w] = await deviceThroughput(w, seconds);
  } catch (e) {
    gpu = `none (${(e as Error).message})`;
  }
  const isa = (ax.setBackend('wasm'), ax.backendInfo().isa ?? '');
  // TensorFlow.js's wasm binaries are served beside the page.
  setWasmPaths('/');
  const tfjs = await tfjsAnchor(workloads, seconds);
  return { axon, tfjs: typeof tfjs === 'string' ? tfjs : tfjs.all, isa, gpu };
}
