// The browser benchmark's page code (bundled by bench/browser.ts): bench:train's MLP, LeNet-5 and
// LSTM workloads on Axon's JS and WebAssembly backends and on TensorFlow.js's wasm and cpu
// backends, one after the other in the same page, with the same number of threads on each side's
// wasm (threads need a cross-origin-isolated page).
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as ax from '../../src/index.js';
import { tfjsAnchor } from '../tfjs-anchor.js';
import { axonThroughput, deviceThroughput } from '../workloads.js';

export interface PageResult {
  axon: Record<string, Record<string, number>>;
  tfjs: Record<string, Record<string, number>> | string;
  isa: string;
  /** The WebGPU adapter's vendor and architecture ('' without one). */
  gpu: string;
  isolated: boolean;
  /** Threads Axon's wasm kernels ran on, and TF.js's wasm backend. */
  threads: number;
  tfjsThreads: number | string;
}

export async function run(workloads: string[], seconds: number, threads: number): Promise<PageResult> {
  const axon: Record<string, Record<string, number>> = { js: {}, wasm: {} };
  ax.setNumThreads(threads);
  ax.setBackend('js');
  for (const w of workloads) axon['js']![w] = axonThroughput(w, seconds);
  await ax.initWasm();
  // The workers join asynchronously.
  for (let i = 0; i < 1000 && (ax.backendInfo().threads ?? 1) < threads; i++)
    await new Promise((r) => setTimeout(r, 10));
  const wasmThreads = ax.backendInfo().threads ?? 1;
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
  // Used by its threaded binary, which it loads only in a cross-origin-isolated page.
  setThreadsCount(threads);
  const tfjs = await tfjsAnchor(workloads, seconds);
  let tfjsThreads: number | string;
  try {
    tfjsThreads = crossOriginIsolated ? getThreadsCount() : 1;
  } catch (e) {
    tfjsThreads = `unknown (${(e as Error).message})`;
  }
  return {
    axon,
    tfjs: typeof tfjs === 'string' ? tfjs : tfjs.all,
    isa,
    gpu,
    isolated: crossOriginIsolated,
    threads: wasmThreads,
    tfjsThreads,
  };
}
