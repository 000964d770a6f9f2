/**
 * Node's backends: the native addon, the WebAssembly kernels (built by scripts/build-wasm.mjs), and
 * the default that prefers the addon. Imported by src/index.ts only, so that the browser bundle
 * (src/browser.ts) never reaches `node:` modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendError } from '../../errors.js';
import { registerBackend, setDefaultBackendChooser } from '../index.js';
import { wasmBackend } from '../wasm/init.js';
import { addonLoadError, loadAddon, packageRoot } from './addon.js';
import { NativeBackend } from './index.js';

/** The WebAssembly kernels' bytes: AXON_WASM, else native/wasm/build/axon.wasm in the package. */
export function readWasmFile(): Uint8Array<ArrayBuffer> {
  const root = packageRoot();
  const file =
    process.env['AXON_WASM'] ||
    (root ? join(root, 'native', 'wasm', 'build', 'axon.wasm') : 'native/wasm/build/axon.wasm');
  if (!existsSync(file))
    throw new BackendError(
      `the wasm backend is not built (${file} is missing; it needs clang, lld and wasi-libc: see scripts/build-wasm.mjs)`,
    );
  return readFileSync(file) as Uint8Array<ArrayBuffer>;
}

registerBackend('native', () => {
  const addon = loadAddon();
  if (!addon) throw new BackendError(`setBackend: the native backend is unavailable here: ${addonLoadError()}`);
  return new NativeBackend(addon);
});

// Synchronous in Node (no main-thread limit), so AXON_BACKEND=wasm works without initWasm().
registerBackend('wasm', () => wasmBackend(new WebAssembly.Module(readWasmFile())));

let warned = false;
setDefaultBackendChooser(() => {
  if (loadAddon()) return 'native';
  if (!warned) {
    warned = true;
    console.warn(`axon: using the JS backend: ${addonLoadError()}`);
  }
  return 'js';
});
