import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { buildDemo } from '../examples/browser/build.mjs';
import { chromiumSkip, launchChromium } from './helpers/chromium.js';
import { serveStatic } from './helpers/static-server.js';

interface DemoState {
  backend: string;
  epoch: number;
  accuracy: number;
  losses: number[];
  done: boolean;
  prediction: number | null;
  probabilities: number[];
  error?: string;
}

// AXON_DEMO_SCREENSHOT=docs/browser-demo.png keeps the picture the README shows.
const SHOT = process.env['AXON_DEMO_SCREENSHOT'] ?? join(mkdtempSync(join(tmpdir(), 'axon-demo-')), 'demo.png');

/** Epochs of the WebGPU run: SwiftShader emulates the GPU on the CPU, slowly. */
const EPOCHS_ON_GPU = 2;

describe('the browser demo (examples/browser) in headless Chromium', { skip: chromiumSkip }, () => {
  let browser: Browser, page: Page, server: Awaited<ReturnType<typeof serveStatic>>;
  const errors: string[] = [];
  const state = () => page.evaluate(() => (window as unknown as { axonDemo: DemoState }).axonDemo);

  before(async () => {
    server = await serveStatic(await buildDemo(mkdtempSync(join(tmpdir(), 'axon-demo-site-'))));
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setViewport({ width: 1440, height: 470 });
    await page.goto(`${server.url}/`);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('trains the digits CNN to ≥ 0.95 test accuracy, drawing the loss as it goes', async () => {
    await page.waitForFunction(() => (window as unknown as { axonDemo: DemoState }).axonDemo.done, {
      timeout: 240_000,
    });
    const s = await state();
    assert.deepEqual(errors, []);
    assert.equal(s.error, undefined);
    assert.equal(s.backend, 'wasm', 'the page trains on the WebAssembly backend');
    assert.ok(s.accuracy >= 0.95, `test accuracy ${s.accuracy}`);
    assert.ok(s.losses.length > 300 && s.losses.at(-1)! < s.losses[0]! / 4, 'the loss fell');
  });

  /** Draws a stroke through points given as fractions of the pad, then waits for the prediction. */
  async function draw(points: [number, number][]): Promise<DemoState> {
    await page.click('#clear');
    const box = (await (await page.$('#pad'))!.boundingBox())!;
    const at = ([fx, fy]: [number, number]) => [box.x + box.width * fx, box.y + box.height * fy] as const;
    await page.mouse.move(...at(points[0]!));
    await page.mouse.down();
    for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(() => (window as unknown as { axonDemo: DemoState }).axonDemo.prediction !== null);
    return state();
  }
  const show = (s: DemoState) => `predicted ${s.prediction}: ${s.probabilities.map((p) => p.toFixed(2)).join(' ')}`;

  test('classifies digits drawn with the mouse', async () => {
    const zero = await draw(
      Array.from({ length: 25 }, (_, i) => {
        const a = (2 * Math.PI * i) / 24;
        return [0.5 + 0.25 * Math.sin(a), 0.5 - 0.36 * Math.cos(a)] as [number, number];
      }),
    );
    assert.equal(zero.prediction, 0, show(zero));
    const one = await draw([
      [0.5, 0.12],
      [0.48, 0.5],
      [0.46, 0.88],
    ]);
    await page.screenshot({ path: SHOT });
    assert.equal(one.prediction, 1, show(one));
  });
});

describe('the browser demo on the WebGPU backend (SwiftShader in headless Chromium)', { skip: chromiumSkip }, () => {
  let browser: Browser, server: Awaited<ReturnType<typeof serveStatic>>;
  before(async () => {
    server = await serveStatic(await buildDemo(mkdtempSync(join(tmpdir(), 'axon-demo-gpu-'))));
    browser = await launchChromium(['--enable-unsafe-webgpu']);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('?backend=webgpu trains the CNN on the GPU backend to ≥ 0.95 test accuracy; a software adapter is not chosen by default', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/?backend=webgpu&epochs=${EPOCHS_ON_GPU}`);
    await page.waitForFunction(() => (window as unknown as { axonDemo: DemoState }).axonDemo.done, {
      timeout: 300_000,
    });
    const s = await page.evaluate(() => (window as unknown as { axonDemo: DemoState }).axonDemo);
    assert.deepEqual(errors, []);
    assert.equal(s.backend, 'webgpu');
    assert.ok(s.accuracy >= 0.95, `test accuracy ${s.accuracy}`);
    const auto = await browser.newPage();
    await auto.goto(`${server.url}/?epochs=1`);
    await auto.waitForFunction(() => (window as unknown as { axonDemo: DemoState }).axonDemo.done, { timeout: 60_000 });
    const chosen = await auto.evaluate(() => (window as unknown as { axonDemo: DemoState }).axonDemo.backend);
    assert.equal(chosen, 'wasm', 'SwiftShader is a CPU: the demo prefers the WebAssembly kernels');
  });
});
