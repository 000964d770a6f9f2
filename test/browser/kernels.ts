// test/helpers/kernels.ts for the page: the WebAssembly kernels, compiled by the page before the
// suite loads (globalThis.axonWasmModule). With the threaded build (a cross-origin-isolated page),
// the suite starts once the workers have joined, so its kernels run on every thread.
import type { Addon } from '../../src/backend/native/addon.js';
import { wasmAddon } from '../../src/backend/wasm/addon.js';
import { WasmKernels } from '../../src/backend/wasm/kernels.js';

export const KERNELS = 'wasm';
export const SKIP_ENV = 'AXON_SKIP_WASM';

const module = (globalThis as { axonWasmModule?: WebAssembly.Module }).axonWasmModule;
const kernels = module ? new WasmKernels(module) : null;
const addon = kernels ? wasmAddon(kernels) : null;

if (kernels?.threaded) {
  const want = Math.min(2, navigator.hardwareConcurrency || 1);
  for (let waited = 0; kernels.threads() < want; waited += 10) {
    if (waited > 10_000) throw new Error(`the wasm workers did not join in 10 s (${kernels.threads()} of ${want})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function kernelAddon(): Addon | null {
  return addon;
}
