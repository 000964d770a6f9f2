/**
 * `await ax.initWasm(source?)`: compiles the WebAssembly kernels, registers the 'wasm' backend and
 * selects it. Without a source, the host finds the module: in Node native/wasm/build/axon-threads.wasm
 * (or AXON_WASM), in a page `axon-threads.wasm` beside the bundle when the page can make shared
 * memory (Chromium, or any cross-origin-isolated page; threads need isolation, tensors read in place
 * only need the shared memory), else `axon.wasm`. Compiling is asynchronous because browsers refuse
 * to compile large modules synchronously on the main thread.
 */
import { BackendError } from '../../errors.js';
import { platform } from '../../platform/platform.js';
import type { Backend } from '../backend.js';
import { registerBackend, setBackend } from '../index.js';
import { NativeBackend } from '../native/index.js';
import { wasmAddon } from './addon.js';
import { WasmKernels } from './kernels.js';
import { trimmingViews } from './trim.js';

/** The module's bytes, a compiled module, a fetch response, or a URL to fetch. */
export type WasmSource = BufferSource | WebAssembly.Module | Response | URL | string;

/** The wasm backend over a compiled module (or kernels already instantiated from one). */
export function wasmBackend(module: WebAssembly.Module | WasmKernels): Backend {
  const kernels = module instanceof WasmKernels ? module : new WasmKernels(module);
  const options = kernels.arrays ? { name: 'wasm', hostMemory: kernels.arrays } : { name: 'wasm' };
  return trimmingViews(new NativeBackend(wasmAddon(kernels), options));
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === 'string' || source instanceof URL) {
    try {
      source = await fetch(source);
    } catch (e) {
      throw new BackendError(`initWasm: cannot fetch ${String(source)}: ${(e as Error).message}`);
    }
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) throw new BackendError(`initWasm: ${source.url} answered ${source.status} ${source.statusText}`);
    source = await source.arrayBuffer();
  }
  try {
    return await WebAssembly.compile(source as BufferSource);
  } catch (e) {
    throw new BackendError(`initWasm: not a WebAssembly module: ${(e as Error).message}`);
  }
}

export async function initWasm(source?: WasmSource): Promise<Backend> {
  const module = await compile(source ?? (await platform().wasmSource(platform().sharedMemory())));
  registerBackend('wasm', () => wasmBackend(module));
  return setBackend('wasm');
}
