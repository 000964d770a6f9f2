// The compiled kernels a suite checks: the native addon, or — in the wasm pass (AXON_BACKEND=wasm) —
// the WebAssembly build of the same sources behind the same Addon interface.
import { type Addon, loadAddon } from '../../src/backend/native/addon.js';
import { readWasmFile } from '../../src/backend/wasm/file.js';
import { wasmAddon } from '../../src/backend/wasm/addon.js';
import { WasmKernels } from '../../src/backend/wasm/kernels.js';

export const KERNELS: 'native' | 'wasm' = process.env['AXON_BACKEND'] === 'wasm' ? 'wasm' : 'native';
/** Set where a machine cannot build these kernels: their suites then skip instead of failing. */
export const SKIP_ENV = KERNELS === 'wasm' ? 'AXON_SKIP_WASM' : 'AXON_SKIP_NATIVE';

let wasm: Addon | null | undefined;

export function kernelAddon(): Addon | null {
  if (KERNELS === 'native') return loadAddon();
  if (wasm === undefined) {
    try {
      wasm = wasmAddon(new WasmKernels(new WebAssembly.Module(readWasmFile())));
    } catch {
      wasm = null;
    }
  }
  return wasm;
}
