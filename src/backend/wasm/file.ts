// Where Node finds the WebAssembly kernels (Node only: the page gets them by URL, src/platform/browser.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendError } from '../../errors.js';
import { packageRoot } from '../native/addon.js';

/**
 * The WebAssembly kernels' bytes: AXON_WASM, else native/wasm/build/axon-threads.wasm (`threaded`,
 * when it was built) or axon.wasm in the package.
 */
export function readWasmFile(threaded = true): Uint8Array<ArrayBuffer> {
  const root = packageRoot();
  const dir = root ? join(root, 'native', 'wasm', 'build') : join('native', 'wasm', 'build');
  const threads = join(dir, 'axon-threads.wasm');
  const file = process.env['AXON_WASM'] || (threaded && existsSync(threads) ? threads : join(dir, 'axon.wasm'));
  if (!existsSync(file))
    throw new BackendError(
      `the wasm backend is not built (${file} is missing; it needs clang, lld and wasi-libc: see scripts/build-wasm.mjs)`,
    );
  return readFileSync(file) as Uint8Array<ArrayBuffer>;
}
