/**
 * Node's backends: the native addon, the WebAssembly kernels (built by scripts/build-wasm.mjs), and
 * the default that prefers the addon. Imported by src/index.ts only, so that the browser bundle
 * (src/browser.ts) never reaches `node:` modules.
 */
import { BackendError } from '../../errors.js';
import { registerBackend, setDefaultBackendChooser } from '../index.js';
import { readWasmFile } from '../wasm/file.js';
import { wasmBackend } from '../wasm/init.js';
import { addonLoadError, loadAddon } from './addon.js';
import { NativeBackend } from './index.js';

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
