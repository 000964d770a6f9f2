// Builds the browser demo into a folder (default examples/browser/dist): the page, its bundle, the
// WebAssembly kernels and the digits CSV. `npm run demo:browser` builds it and serves it on localhost.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

export async function buildDemo(out = join(here, 'dist')) {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(here, 'demo.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(out, 'demo.js'),
    alias: { 'csv-parse/sync': 'csv-parse/browser/esm/sync' },
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
  copyFileSync(join(root, 'data', 'digits.csv'), join(out, 'digits.csv'));
  // Without the kernels the page trains on the JS backend (and says so in the console); the
  // threaded build serves cross-origin-isolated pages.
  for (const file of ['axon.wasm', 'axon-threads.wasm']) {
    const wasm = join(root, 'native', 'wasm', 'build', file);
    if (existsSync(wasm)) copyFileSync(wasm, join(out, file));
  }
  return out;
}
