import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import * as ax from '../src/index.js';
import { buildBrowser } from '../scripts/build-browser.mjs';
import { chromiumSkip, launchChromium } from './helpers/chromium.js';
import { serveStatic } from './helpers/static-server.js';
import { buildSuite } from './browser/build-suite.mjs';
import { type IrisResult, irisProgram } from './helpers/iris-program.mjs';

const dataFile = (name: string) => fileURLToPath(new URL(`../data/${name}`, import.meta.url));
// The WebAssembly tests need the kernels npm ci builds (scripts/build-wasm.mjs); CI always has them.
const wasmSkip =
  existsSync(fileURLToPath(new URL('../native/wasm/build/axon.wasm', import.meta.url))) || process.env['CI']
    ? false
    : 'the wasm kernels are not built (node scripts/build-wasm.mjs)';
const helper = (name: string) => fileURLToPath(new URL(`./helpers/${name}`, import.meta.url));

describe('axon in a web page (headless Chromium)', { skip: chromiumSkip }, () => {
  let browser: Browser, page: Page, server: Awaited<ReturnType<typeof serveStatic>>, serverDir: string;
  const errors: string[] = [];

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axon-browser-'));
    serverDir = dir;
    await buildBrowser(join(dir, 'axon.browser.js'));
    // The kernel parity suites, bundled for the page against the WebAssembly kernels.
    await buildSuite(['./test/backend.parity.test.ts', './test/native.boundary.test.ts'], join(dir, 'suite.js'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>axon</title>');
    copyFileSync(dataFile('iris.csv'), join(dir, 'iris.csv'));
    // Served as written (not through tsx), the same file Node imports.
    copyFileSync(helper('iris-program.mjs'), join(dir, 'iris-program.mjs'));
    server = await serveStatic(dir);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/`);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the bundle trains a model from fetched CSV exactly as Node does, and says files need bytes', async () => {
    const inPage = await page.evaluate(async () => {
      const axon: unknown = await import('/axon.browser.js' as string);
      const program = (await import('/iris-program.mjs' as string)) as {
        irisProgram: (a: unknown, c: string) => unknown;
      };
      return program.irisProgram(axon, await (await fetch('/iris.csv')).text());
    });
    const { readFileSync } = await import('node:fs');
    const prev = ax.getBackend().name;
    ax.setBackend('js');
    let inNode: IrisResult;
    try {
      inNode = irisProgram(ax, readFileSync(dataFile('iris.csv'), 'utf8'));
    } finally {
      ax.setBackend(prev);
    }
    const page_ = inPage as typeof inNode;
    assert.deepEqual(errors, []);
    assert.equal(page_.backend, 'js');
    assert.ok(page_.losses.length === 15 && page_.losses[14]! < page_.losses[0]! / 3, `losses ${page_.losses}`);
    assert.ok(page_.accuracy > 0.9, `accuracy ${page_.accuracy}`);
    // The JS backend is the same code on the same engine: the numbers agree to float32 rounding.
    for (let i = 0; i < 15; i++) assert.ok(Math.abs(page_.losses[i]! - inNode.losses[i]!) < 1e-5, `epoch ${i + 1}`);
    assert.deepEqual(page_.weight, inNode.weight);
    assert.match(
      page_.fileError,
      /^FormatError: loadCsv: cannot read iris\.csv: there is no file system in the browser/,
    );
    assert.equal(page_.cpuSeconds, false, 'a page cannot measure CPU time');
    assert.equal(inNode.cpuSeconds, true);
  });

  test(
    'initWasm() finds the threaded kernels beside the bundle (an isolated page) and the page trains on them',
    { skip: wasmSkip },
    async () => {
      const result = (await page.evaluate(async () => {
        const axon = (await import('/axon.browser.js' as string)) as typeof ax;
        await axon.initWasm();
        // The workers join asynchronously: until then the kernels run on this thread.
        const threads = Math.min(2, navigator.hardwareConcurrency || 1);
        for (let i = 0; i < 1000 && (axon.backendInfo().threads ?? 0) < threads; i++)
          await new Promise((r) => setTimeout(r, 10));
        const info = { ...axon.backendInfo(), want: threads, isolated: crossOriginIsolated };
        const program = (await import('/iris-program.mjs' as string)) as {
          irisProgram: (a: unknown, c: string) => { backend: string; accuracy: number };
        };
        const run = program.irisProgram(axon, await (await fetch('/iris.csv')).text());
        // A product large enough to run in the kernels (small ones stay in JS), against the JS backend.
        const a = axon.randn([64, 96]),
          b = axon.randn([96, 80]);
        const got = a.matmul(b).toTypedArray();
        axon.setBackend('js');
        const want = a.matmul(b).toTypedArray();
        let err = 0;
        for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
        let bad = '';
        try {
          await axon.initWasm('/missing.wasm');
        } catch (e) {
          bad = `${(e as Error).name}: ${(e as Error).message}`;
        }
        return { info, run, err, bad };
      })) as {
        info: { name: string; isa: string; threads: number; want: number; isolated: boolean };
        run: { backend: string; accuracy: number };
        err: number;
        bad: string;
      };
      assert.deepEqual(errors, []);
      assert.equal(result.info.name, 'wasm');
      assert.equal(result.info.isa, 'wasm-simd128');
      assert.equal(result.info.isolated, true);
      assert.equal(result.info.threads, result.info.want, 'the workers joined the kernels thread pool');
      assert.equal(result.run.backend, 'wasm');
      assert.ok(result.run.accuracy > 0.9, `accuracy ${result.run.accuracy}`);
      assert.ok(result.err < 1e-4, `matmul differs from the JS backend by ${result.err}`);
      assert.match(result.bad, /^BackendError: initWasm: .*missing\.wasm answered 404/);
    },
  );

  for (const file of ['axon.wasm', 'axon-threads.wasm'])
    test(
      `the kernel parity suites pass on the WebAssembly kernels in the page (${file})`,
      { skip: wasmSkip },
      async () => {
        // A page of its own: the suite's module instance holds the kernels it was loaded with.
        const p = await browser.newPage();
        try {
          await p.goto(`${server.url}/`);
          const results = (await p.evaluate(async (f: string) => {
            const bytes = await (await fetch(`/${f}`)).arrayBuffer();
            (globalThis as { axonWasmModule?: WebAssembly.Module }).axonWasmModule = await WebAssembly.compile(bytes);
            const suite = (await import('/suite.js' as string)) as {
              runAll(): Promise<{ name: string; error?: string }[]>;
            };
            return suite.runAll();
          }, file)) as { name: string; error?: string }[];
          const failed = results.filter((r) => r.error);
          assert.deepEqual(failed, []);
          assert.ok(results.length >= 25, `${results.length} tests ran`);
        } finally {
          await p.close();
        }
      },
    );

  test(
    'a page that is not cross-origin isolated gets the threaded build on one thread, its tensors in the module’s memory; axon.wasm still loads',
    { skip: wasmSkip },
    async () => {
      const open = await serveStatic(serverDir, false);
      const p = await browser.newPage();
      try {
        await p.goto(`${open.url}/`);
        const r = (await p.evaluate(async () => {
          const axon = (await import('/axon.browser.js' as string)) as typeof ax;
          axon.setNumThreads(2);
          await axon.initWasm();
          const info = { ...axon.backendInfo(), isolated: crossOriginIsolated, sab: typeof SharedArrayBuffer };
          // (no named helper functions here: the test's transpiler would wrap them in a __name the page lacks)
          const a = axon.randn([64, 96]),
            b = axon.randn([96, 80]);
          const y = a.matmul(b);
          const got = y.toTypedArray();
          const [input, output, small] = [a, y, axon.randn([8])].map((t) =>
            Object.prototype.toString.call(t.data.buffer),
          );
          const memory = { input, output, small };
          axon.setBackend('js');
          const want = a.matmul(b).toTypedArray();
          let err = 0;
          for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
          // The single-threaded build, asked for by URL: ordinary arrays, copied per call.
          await axon.initWasm('/axon.wasm');
          const single = axon.randn([64, 96]).matmul(axon.randn([96, 80]));
          const singleKind = Object.prototype.toString.call(single.data.buffer);
          return { info, memory, err, single: singleKind, singleShape: [...single.shape] };
        })) as {
          info: { name: string; threads: number; isolated: boolean; sab: string };
          memory: { input: string; output: string; small: string };
          err: number;
          single: string;
          singleShape: number[];
        };
        assert.equal(r.info.isolated, false);
        assert.equal(r.info.sab, 'undefined', 'the page has no SharedArrayBuffer constructor');
        assert.equal(r.info.name, 'wasm');
        assert.equal(r.info.threads, 1, 'no workers: the page cannot hand them its memory');
        assert.deepEqual(r.memory, {
          input: '[object SharedArrayBuffer]',
          output: '[object SharedArrayBuffer]',
          small: '[object ArrayBuffer]',
        });
        assert.ok(r.err < 1e-4, `matmul differs from the JS backend by ${r.err}`);
        assert.equal(r.single, '[object ArrayBuffer]');
        assert.deepEqual(r.singleShape, [64, 80]);
      } finally {
        await p.close();
        await open.close();
      }
    },
  );
});

describe('WebGPU kernels in headless Chromium (SwiftShader, a CPU Vulkan)', { skip: chromiumSkip }, () => {
  let browser: Browser, server: Awaited<ReturnType<typeof serveStatic>>;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axon-webgpu-'));
    await buildSuite(['./test/webgpu.kernels.test.ts', './test/webgpu.backend.test.ts'], join(dir, 'suite.js'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>axon webgpu</title>');
    server = await serveStatic(dir);
    // gc() lets the WebGPU suite check that collected tensors give their GPU buffers back.
    browser = await launchChromium(['--enable-unsafe-webgpu', '--js-flags=--expose-gc']);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the page has a WebGPU adapter and every kernel agrees with the JS backend', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // WGSL compile errors reach the console only: any is a failure.
    page.on('console', (m) => /Error while parsing WGSL/.test(m.text()) && errors.push(m.text()));
    await page.goto(`${server.url}/`);
    const r = (await page.evaluate(async () => {
      const gpu = (
        navigator as unknown as {
          gpu?: { requestAdapter(): Promise<{ info?: { vendor: string; architecture: string } } | null> };
        }
      ).gpu;
      const adapter = gpu ? await gpu.requestAdapter() : null;
      const suite = (await import('/suite.js' as string)) as { runAll(): Promise<{ name: string; error?: string }[]> };
      return {
        adapter: adapter ? `${adapter.info?.vendor ?? ''} ${adapter.info?.architecture ?? ''}` : null,
        results: await suite.runAll(),
      };
    })) as { adapter: string | null; results: { name: string; error?: string }[] };
    assert.ok(r.adapter, 'Chromium offered no WebGPU adapter');
    assert.deepEqual(
      r.results.filter((t) => t.error),
      [],
    );
    assert.ok(r.results.length >= 14, `${r.results.length} tests ran`);
    assert.deepEqual(errors, []);
  });
});
