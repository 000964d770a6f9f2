// Where Node finds the WebAssembly kernels (Node only: the page gets them by URL, src/platform/browser.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendError } from '../../errors.js';
import { packageRoot } from '../native/addon.js';

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
