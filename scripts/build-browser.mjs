// Bundles src/browser.ts into dist/axon.browser.js (ESM, for pages and bundlers: package.json's
// `browser` export condition). esbuild fails on any `node:` import the core reaches, so this build
// is also the check that the core stays free of Node (test/browser.test.ts runs it). The WebAssembly
// kernels (native/wasm/build/axon.wasm and axon-threads.wasm, from scripts/build-wasm.mjs) go beside the bundle, where
// `ax.initWasm()` looks for them.
import { build } from 'esbuild';
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildBrowser(outfile = join(root, 'dist', 'axon.browser.js'), options = {}) {
  const result = await build({
    entryPoints: [join(root, 'src', 'browser.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile,
    sourcemap: true,
    // csv-parse's default build uses Node's Buffer; its browser build carries its own.
    alias: { 'csv-parse/sync': 'csv-parse/browser/esm/sync' },
    logLevel: 'warning',
    metafile: true,
    ...options,
  });
  // Both builds: initWasm() takes the threaded one in cross-origin-isolated pages.
  for (const file of ['axon.wasm', 'axon-threads.wasm']) {
    const wasm = join(root, 'native', 'wasm', 'build', file);
    if (existsSync(wasm)) copyFileSync(wasm, join(dirname(outfile), file));
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await buildBrowser(process.argv[2]);
  const out = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith('.js'));
  console.log(`browser bundle: ${out[0]} (${(out[1].bytes / 1024).toFixed(0)} KiB)`);
}
