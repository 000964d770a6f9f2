import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import { listRuns, readMetrics, runDir } from '../src/dashboard/runs.js';
import { createDashboardServer } from '../src/dashboard/server.js';
import { main } from '../src/cli.js';
import { throwsTyped } from './helpers/throws.js';
import { chromiumSkip, launchChromium } from './helpers/chromium.js';

const browserSkip = chromiumSkip;

const tmp = () => mkdtempSync(join(tmpdir(), 'axon-dashboard-'));
const row = (epoch: number, loss: number) =>
  `${JSON.stringify({ epoch, loss, valLoss: loss * 1.1, valAccuracy: 1 - loss / 3 })}\n`;

describe('dashboard: log directory and API', () => {
  test('runs are directories with .jsonl files; a half-written last line waits for the next read', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b', 'nested'), { recursive: true });
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'a', 'metrics.jsonl'), row(1, 2) + row(2, 1.5) + '{"epoch": 3, "lo');
    writeFileSync(join(dir, 'b', 'nested', 'm.jsonl'), row(1, 3) + 'not json\n' + row(2, 2));
    writeFileSync(join(dir, 'b', 'nested', 'map.png'), 'png');
    const runs = listRuns(dir);
    assert.deepEqual(
      runs.map((r) => [r.name, r.metricsFiles, r.images.map((i) => i.file)]),
      [
        ['a', ['metrics.jsonl'], []],
        ['b/nested', ['m.jsonl'], ['map.png']],
      ],
    );
    assert.deepEqual(
      readMetrics(join(dir, 'a'), ['metrics.jsonl']).map((r) => r['epoch']),
      [1, 2],
    );
    appendFileSync(join(dir, 'a', 'metrics.jsonl'), 'ss": 1}\n');
    assert.deepEqual(
      readMetrics(join(dir, 'a'), ['metrics.jsonl']).map((r) => r['epoch']),
      [1, 2, 3],
    );
    assert.equal(readMetrics(join(dir, 'b', 'nested'), ['m.jsonl']).length, 2, 'the malformed line is skipped');
    for (const bad of ['..', '../x', 'a/../..', '/etc', 'a\\..', 'missing']) assert.equal(runDir(dir, bad), null, bad);
    assert.equal(runDir(dir, '.'), dir);
  });

  test('the API answers runs, metrics and images, and refuses paths outside the log directory', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'r'));
    writeFileSync(join(dir, 'r', 'metrics.jsonl'), row(1, 2));
    writeFileSync(join(dir, 'r', 'heat.png'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(join(dir, 'secret.png'), 'x');
    const app = createDashboardServer(dir);
    const get = (url: string) => app.inject({ method: 'GET', url });
    const page = await get('/');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<script src="\/uplot.js">/);
    assert.equal((await get('/uplot.js')).statusCode, 200);
    assert.equal((await get('/app.js')).statusCode, 200);
    assert.deepEqual((await get('/api/runs')).json().runs[0].name, 'r');
    assert.equal((await get('/api/metrics?run=r')).json().rows[0].loss, 2);
    assert.equal((await get('/api/metrics?run=..')).statusCode, 404);
    assert.equal((await get('/api/metrics?run=nope')).statusCode, 404);
    const img = await get('/api/image?run=r&file=heat.png');
    assert.equal(img.headers['content-type'], 'image/png');
    assert.equal((await get('/api/image?run=r&file=../secret.png')).statusCode, 404);
    assert.equal((await get('/api/image?run=r/..&file=secret.png')).statusCode, 404);
    await app.close();
  });

  test('fit({ dashboard }) serves the run from a worker thread while the training loop holds the main thread', () => {
    const dir = tmp();
    const lines: string[] = [];
    const seen: string[] = [];
    const model = new ax.nn.Linear(3, 2);
    const x = ax.randn(32, 3),
      y = ax.randint(0, 2, [32]);
    const loader = new ax.data.DataLoader(new ax.data.TensorDataset(x, y), { batchSize: 8 });
    ax.train.fit(model, loader, {
      epochs: 3,
      optimizer: new ax.optim.SGD(model.parameters(), { lr: 0.1 }),
      loss: ax.nn.functional.crossEntropy,
      validation: loader,
      dashboard: { logDir: dir, run: 'live', confusionMatrix: true },
      callbacks: [
        {
          onEpochEnd(e) {
            if (e.epoch !== 3) return; // the dashboard's logger runs after this callback: epochs 1 and 2 are written
            // A synchronous request from another process, answered while fit is running.
            const url = lines.find((l) => l.startsWith('dashboard: '))!.split(' ')[1]!;
            const script = `fetch(${JSON.stringify(`${url}api/metrics?run=live`)}).then((r) => r.text()).then((t) => process.stdout.write(t))`;
            seen.push(
              execFileSync(process.execPath, ['-e', script], {
                encoding: 'utf8',
                timeout: 20000,
                env: { ...process.env, LD_PRELOAD: '' },
              }),
            );
          },
        },
      ],
      log: (l) => lines.push(l),
      progress: false,
    });
    assert.match(lines[0]!, /^dashboard: http:\/\/127\.0\.0\.1:\d+\/ \(run 'live' in /);
    const rows = JSON.parse(seen[0]!).rows;
    assert.deepEqual(
      rows.map((r: { epoch: number }) => r.epoch),
      [1, 2],
    );
    assert.equal(
      rows[1].confusionMatrix.flat().reduce((a: number, b: number) => a + b),
      32,
    );
  });
});

test('startDashboard: bad arguments get typed errors', () => {
  throwsTyped(() => ax.train.startDashboard(''), ax.ValueError, /logDir/);
  throwsTyped(() => ax.train.startDashboard(tmp(), { port: -1 }), ax.ValueError, /port/);
  throwsTyped(() => ax.train.startDashboard(tmp(), null as never), ax.ValueError, /options/);
});

test('axon dashboard: a missing log directory is a usage error (exit 2)', async () => {
  assert.equal(await main(['dashboard', join(tmp(), 'missing')]), 2);
});

describe('dashboard in a real browser (headless Chromium)', { skip: browserSkip }, () => {
  test('the curves gain points while a run trains; runs side by side; confusion matrix and heatmap shown', async () => {
    const dir = tmp();
    // A finished run to compare with, and a live one trained by a child process.
    mkdirSync(join(dir, 'baseline'));
    writeFileSync(
      join(dir, 'baseline', 'metrics.jsonl'),
      [2.2, 1.6, 1.1, 0.8, 0.6, 0.5].map((l, i) => row(i + 1, l)).join(''),
    );
    mkdirSync(join(dir, 'live'));
    const app = createDashboardServer(dir);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const helper = fileURLToPath(new URL('./helpers/dashboard-run.ts', import.meta.url));
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', helper, join(dir, 'live'), '--epochs', '10', '--epoch-ms', '700'],
      {
        stdio: 'ignore',
        env: { ...process.env, AXON_BACKEND: 'js' },
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.setViewport({ width: 1280, height: 1000 });
      await page.goto(`${url}/`);
      const points = () =>
        page.evaluate(
          () => (window as unknown as { axonDashboard: { points: Record<string, number> } }).axonDashboard.points,
        );
      await page.waitForFunction(() => ((window as any).axonDashboard.points['live|loss'] ?? 0) >= 1, {
        timeout: 60000,
      });
      const first = (await points())['live|loss']!;
      await page.waitForFunction(
        (n: number) => (window as any).axonDashboard.points['live|loss'] >= n + 2,
        { timeout: 30000 },
        first,
      );
      const later = await points();
      assert.ok(later['live|loss']! >= first + 2, `the live curve grew from ${first} to ${later['live|loss']}`);
      assert.equal(later['baseline|loss'], 6, 'the finished run is drawn beside it');
      assert.ok(later['live|valAccuracy']! >= 1);
      assert.ok(await page.$('[data-group="loss"] canvas'), 'a loss chart');
      assert.ok(await page.$('[data-group="accuracy"] canvas'), 'an accuracy chart');
      await page.waitForSelector('table.cm', { timeout: 20000 });
      await page.waitForSelector('#images img', { timeout: 30000 });
      await page.waitForFunction(() =>
        [...document.querySelectorAll('#images img')].every((i) => (i as HTMLImageElement).naturalWidth > 0),
      );
      assert.equal(await exited, 0, 'the training run ended cleanly');
      await page.waitForFunction(() => (window as any).axonDashboard.points['live|loss'] === 10, { timeout: 10000 });
      assert.deepEqual(errors, []);
      const shot = process.env['AXON_WRITE_DOCS']
        ? fileURLToPath(new URL('../docs/dashboard.png', import.meta.url))
        : join(dir, 'dashboard.png');
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(existsSync(shot));
    } finally {
      child.kill();
      await browser.close();
      await app.close();
    }
  });
});
