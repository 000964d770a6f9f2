/**
 * Training throughput in a web page (headless Chromium): Axon's WebAssembly and JS backends beside
 * TensorFlow.js's wasm (SIMD) and cpu backends, bench:train's MLP, LeNet-5 and LSTM workloads. With
 * --threads 1 (the default) the page is not cross-origin isolated, so neither side can start threads;
 * with --threads N it is, and Axon's threaded wasm build and TF.js's threaded wasm binary each use N.
 *
 *   npm run bench:browser [-- --seconds 3 --only mlp,lenet --threads 2]
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { arg } from './anchor.js';
import { pageBuildOptions } from '../test/browser/build-suite.mjs';
import { launchChromium } from '../test/helpers/chromium.js';
import { serveStatic } from '../test/helpers/static-server.js';
import { readWasmFile } from '../src/backend/wasm/file.js';
import type { PageResult } from './browser/page.js';

const seconds = Number(arg('seconds', '3'));
const only = arg('only', 'mlp,lenet,lstm').split(',');
const threads = Number(arg('threads', '1'));

const dir = mkdtempSync(join(tmpdir(), 'axon-bench-browser-'));
await build({
  ...pageBuildOptions(),
  entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
  outfile: join(dir, 'page.js'),
});
writeFileSync(join(dir, 'axon.wasm'), readWasmFile(false));
writeFileSync(join(dir, 'axon-threads.wasm'), readWasmFile(true));
const tfWasm = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'])
  copyFileSync(join(tfWasm, f), join(dir, f));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>axon bench</title>');
const server = await serveStatic(dir, threads > 1);
const browser = await launchChromium(['--enable-unsafe-webgpu']);
try {
  const page = await browser.newPage();
  page.on('console', () => undefined);
  await page.goto(`${server.url}/`);
  const r = (await page.evaluate(
    async (w: string[], s: number, t: number) => {
      const m = (await import('/page.js' as string)) as { run(w: string[], s: number, t: number): Promise<unknown> };
      return m.run(w, s, t);
    },
    only,
    seconds,
    threads,
  )) as PageResult;
  const version = await browser.version();
  console.log(
    `Training throughput in ${version} (headless), samples/s, ${threads} thread(s) each ` +
      `(cross-origin isolated: ${r.isolated}; Axon wasm on ${r.threads}, TF.js wasm on ${r.tfjsThreads}); ` +
      `Axon wasm kernels: ${r.isa}`,
  );
  console.log('workload    axon-wasm    axon-js  axon-webgpu  tfjs-wasm   tfjs-cpu  wasm/tfjs-wasm  wasm/tfjs-best');
  const cell = (v: number | undefined, w: number, d = 1) => (v === undefined ? '-' : v.toFixed(d)).padStart(w);
  for (const name of only) {
    const a = r.axon['wasm']![name]!,
      j = r.axon['js']![name],
      g = r.axon['webgpu']?.[name];
    const tw = typeof r.tfjs === 'string' ? undefined : r.tfjs['wasm']?.[name];
    const tc = typeof r.tfjs === 'string' ? undefined : r.tfjs['cpu']?.[name];
    const best = Math.max(tw ?? 0, tc ?? 0) || undefined;
    console.log(
      `${name.padEnd(9)} ${cell(a, 11)} ${cell(j, 10)} ${cell(g, 12)} ${cell(tw, 10)} ${cell(tc, 10)} ${cell(tw && a / tw, 15, 2)} ${cell(best && a / best, 15, 2)}`,
    );
  }
  console.log(
    `note: axon-webgpu ran on the adapter "${r.gpu}"` +
      (/swiftshader/i.test(r.gpu) ? ': SwiftShader, a CPU implementation of Vulkan — not a GPU measurement' : ''),
  );
  if (typeof r.tfjs === 'string') console.log(`note: ${r.tfjs}`);
  else
    console.log('note: "-" for TF.js wasm means it lacks a training kernel the workload needs (Conv2DBackpropFilter)');
} finally {
  await browser.close();
  await server.close();
}
