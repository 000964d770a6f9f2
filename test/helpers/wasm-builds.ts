// The two WebAssembly builds (axon.wasm, axon-threads.wasm) for the suites that load them by hand,
// and when those suites run: in the wasm pass (npm run test:wasm) only.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const wasmBuildPath = (file: string) =>
  fileURLToPath(new URL(`../../native/wasm/build/${file}`, import.meta.url));

export const wasmBuildsExist = existsSync(wasmBuildPath('axon.wasm')) && existsSync(wasmBuildPath('axon-threads.wasm'));

export const wasmPassSkip =
  process.env['AXON_BACKEND'] !== 'wasm'
    ? 'runs in the wasm pass (npm run test:wasm)'
    : !wasmBuildsExist && process.env['AXON_SKIP_WASM']
      ? 'wasm kernels not built (AXON_SKIP_WASM)'
      : false;

/** A build, compiled. */
export const wasmBuild = (file: string) => new WebAssembly.Module(readFileSync(wasmBuildPath(file)));
