// test/helpers/kernels.ts for the page: the WebAssembly kernels, compiled by the page before the
// suite loads (globalThis.axonWasmModule).
import type { Addon } from '../../src/backend/native/addon.js';
import { wasmAddon } from '../../src/backend/wasm/addon.js';
import { WasmKernels } from '../../src/backend/wasm/kernels.js';

export const KERNELS = 'wasm';
export const SKIP_ENV = 'AXON_SKIP_WASM';

const module = (globalThis as { axonWasmModule?: WebAssembly.Module }).axonWasmModule;
const addon = module ? wasmAddon(new WasmKernels(module)) : null;

export function kernelAddon(): Addon | null {
  return addon;
}
