import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import { type AxonServer, createServer } from '../src/serve/server.js';
import { main } from '../src/cli.js';

// The inference server on a real loopback port: every endpoint, dynamic batching (each response
// checked against a direct forward), every bad request, a version swap under load, Prometheus
// metrics read by Debian's promtool and scraped by a real prometheus, and the CLI's graceful stop.
const MODEL = fileURLToPath(new URL('../examples/models/digits-cnn.onnx', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const direct = ax.onnx.load(MODEL).eval();
const havePrometheus = existsSync('/usr/bin/promtool') && existsSync('/usr/bin/prometheus');
const promSkip = havePrometheus || process.env['CI'] ? false : 'prometheus not installed (apt-get install prometheus)';

function image(seed: number): number[] {
  return Array.from({ length: 28 * 28 }, (_, i) => Math.sin(i * 0.1 + seed) * 0.5 + 0.5);
}

function expected(data: number[]): number[] {
  const x = ax.tensor(data).reshape([1, 1, 28, 28]);
  return Array.from((ax.noGrad(() => direct.forward(x)) as ax.Tensor).toTypedArray());
}

function inferBody(data: number[], extra: Record<string, unknown> = {}) {
  return { inputs: [{ name: 'images', shape: [1, 1, 28, 28], datatype: 'FP32', data }], ...extra };
}

async function post(base: string, path: string, body: unknown, raw = false) {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, json: (await r.json()) as Record<string, unknown> };
}

function close(a: number[], b: number[]): void {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-5 * (1 + Math.abs(b[i]!)), `${i}: ${v} vs ${b[i]}`));
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('axon serve: the Open Inference Protocol over HTTP', () => {
  let server: AxonServer;
  let base: string;
  before(async () => {
    server = await createServer([{ path: MODEL }], { maxQueueDelayUs: 3000, maxBatchSize: 16 });
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => server.close());

  test('health, server and model metadata', async () => {
    const get = async (p: string) => {
      const r = await fetch(base + p);
      return { status: r.status, json: await r.json() };
    };
    assert.deepEqual((await get('/v2/health/live')).json, { live: true });
    assert.deepEqual((await get('/v2/health/ready')).json, { ready: true });
    assert.equal(((await get('/v2')).json as { name: string }).name, 'axon');
    const meta = (await get('/v2/models/digits-cnn')).json;
    assert.deepEqual(meta, {
      name: 'digits-cnn',
      versions: ['1'],
      platform: 'axon_onnx',
      inputs: [{ name: 'images', datatype: 'FP32', shape: [-1, 1, -1, -1] }],
      outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 10] }],
    });
    assert.deepEqual((await get('/v2/models/digits-cnn/versions/1')).json, meta);
    assert.deepEqual((await get('/v2/models/digits-cnn/ready')).json, { name: 'digits-cnn', ready: true });
    assert.equal((await get('/v2/models/other')).status, 404);
    assert.equal((await get('/v2/models/digits-cnn/versions/7')).status, 404);
  });

  test('inference: the same numbers as a direct forward; the request id comes back', async () => {
    const data = image(1);
    const r = await post(base, '/v2/models/digits-cnn/infer', inferBody(data, { id: 'req-1' }));
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.id, 'req-1');
    assert.equal(r.json.model_version, '1');
    const [out] = r.json.outputs as { name: string; shape: number[]; datatype: string; data: number[] }[];
    assert.deepEqual([out!.name, out!.shape, out!.datatype], ['logits', [1, 10], 'FP32']);
    close(out!.data, expected(data));
    // Nested data (as the shape says) is accepted too, and /predict takes plain samples.
    const nested = await post(base, '/v2/models/digits-cnn/versions/1/infer', {
      inputs: [{ name: 'images', shape: [1, 1, 28, 28], datatype: 'FP32', data: [[chunk(data, 28)]] }],
    });
    close((nested.json.outputs as { data: number[] }[])[0]!.data, expected(data));
    const p = await post(base, '/predict', { instances: [[chunk(data, 28)], [chunk(image(2), 28)]] });
    assert.equal(p.status, 200, JSON.stringify(p.json));
    const predictions = p.json.predictions as number[][];
    close(predictions[0]!, expected(data));
    close(predictions[1]!, expected(image(2)));
  });

  test('dynamic batching: concurrent requests run together and each gets its own answer', async () => {
    const before = await batchStats(server);
    const seeds = Array.from({ length: 48 }, (_, i) => i + 10);
    const responses = await Promise.all(
      seeds.map((s) => post(base, '/v2/models/digits-cnn/infer', inferBody(image(s)))),
    );
    responses.forEach((r, i) => {
      assert.equal(r.status, 200);
      close((r.json.outputs as { data: number[] }[])[0]!.data, expected(image(seeds[i]!)));
    });
    const afterStats = await batchStats(server);
    const mean = (afterStats.sum - before.sum) / (afterStats.count - before.count);
    assert.ok(mean > 1.5, `mean batch size ${mean}`);
  });

  test('bad requests get a JSON error with a reason, and the server keeps serving', async () => {
    const infer = '/v2/models/digits-cnn/infer';
    const cases: [unknown, number, RegExp, boolean?][] = [
      ['{"inputs": [', 400, /JSON/, true],
      [{}, 400, /"inputs" must be a non-empty list/],
      [inferBody(image(1).slice(1)), 400, /needs 784 values, 'data' has 783/],
      [
        { inputs: [{ name: 'images', shape: [1, 1, 28, 29], datatype: 'FP32', data: new Array(812).fill(0) }] },
        200,
        /./,
      ],
      [
        { inputs: [{ name: 'images', shape: [1, 28, 28], datatype: 'FP32', data: image(1) }] },
        400,
        /must have shape \[-1, 1, -1, -1\], got \[1, 28, 28\]/,
      ],
      [
        { inputs: [{ name: 'images', shape: [1, 1, 28, 28], datatype: 'INT32', data: new Array(784).fill(1) }] },
        400,
        /must be FP32, got int32/,
      ],
      [{ inputs: [{ name: 'images', shape: [1, 1, 28, 28], datatype: 'FP99', data: [] }] }, 400, /datatype "FP99"/],
      [
        { inputs: [{ name: 'pixels', shape: [1, 1, 28, 28], datatype: 'FP32', data: image(1) }] },
        400,
        /no input 'pixels'/,
      ],
      [{ inputs: [inferBody(image(1)).inputs[0], inferBody(image(1)).inputs[0]] }, 400, /given twice/],
      [
        { inputs: [{ name: 'images', shape: [1, 1, 28, 28], datatype: 'FP32', data: ['NaN', ...image(1).slice(1)] }] },
        400,
        /value 0 is not a number/,
      ],
      [inferBody(image(1), { outputs: [{ name: 'probs' }] }), 400, /no output named "probs"/],
      [inferBody(image(1), { parameters: { timeout: -5 } }), 400, /timeout must be a positive/],
    ];
    for (const [body, status, pattern, raw] of cases) {
      const r = await post(base, infer, body, raw);
      assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)} → ${JSON.stringify(r.json)}`);
      if (status !== 200) assert.match(String(r.json.error), pattern);
    }
    assert.equal((await post(base, '/v2/models/nope/infer', inferBody(image(1)))).status, 404);
    assert.equal((await post(base, '/v2/models/digits-cnn/versions/9/infer', inferBody(image(1)))).status, 404);
    assert.equal((await post(base, '/predict', { instances: [[1, 2], [1]] })).status, 400);
    assert.equal((await fetch(`${base}/nowhere`)).status, 404);
    const ok = await post(base, infer, inferBody(image(3)));
    assert.equal(ok.status, 200);
  });

  test('a new version is swapped in under load without dropping a request', async () => {
    let running = true;
    const results: number[] = [];
    const load = (async () => {
      while (running) {
        const batch = await Promise.all(
          Array.from({ length: 8 }, (_, i) => post(base, '/v2/models/digits-cnn/infer', inferBody(image(i)))),
        );
        for (const r of batch) results.push(r.status);
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    await server.repository.load({ path: MODEL, version: '2' });
    await new Promise((r) => setTimeout(r, 100));
    await server.repository.unload('digits-cnn', '1');
    await new Promise((r) => setTimeout(r, 100));
    running = false;
    await load;
    assert.ok(results.length >= 16);
    assert.deepEqual([...new Set(results)], [200], 'every request answered');
    const meta = (await (await fetch(`${base}/v2/models/digits-cnn`)).json()) as { versions: string[] };
    assert.deepEqual(meta.versions, ['2']);
  });

  test('soak (short): a mixed stream with 10 % bad requests — every good answer right, every bad one refused', async () => {
    const total = 400;
    let next = 0;
    const problems: string[] = [];
    const worker = async () => {
      while (next < total) {
        const i = next++;
        if (i % 10 === 3) {
          const r = await post(base, '/v2/models/digits-cnn/infer', inferBody(image(i).slice(0, 100)));
          if (r.status !== 400) problems.push(`bad request ${i} got ${r.status}`);
          continue;
        }
        const r = await post(base, '/v2/models/digits-cnn/infer', inferBody(image(i), { id: String(i) }));
        if (r.status !== 200 || r.json.id !== String(i)) {
          problems.push(`request ${i}: ${r.status} ${JSON.stringify(r.json).slice(0, 100)}`);
          continue;
        }
        const got = (r.json.outputs as { data: number[] }[])[0]!.data;
        const want = expected(image(i));
        if (got.some((v, k) => Math.abs(v - want[k]!) > 1e-5 * (1 + Math.abs(want[k]!))))
          problems.push(`request ${i}: wrong numbers`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    assert.deepEqual(problems, []);
  });

  test('metrics: Prometheus text format, checked by promtool', { skip: promSkip }, async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'axon_inference_requests_total{model="digits-cnn",version="2",status="200"}',
      'axon_inference_duration_seconds_bucket',
      'phase="queue"',
      'phase="inference"',
      'axon_batch_size_bucket',
      'axon_queue_depth',
      'axon_model_load_seconds',
      'axon_process_cpu_seconds_total',
    ])
      assert.ok(text.includes(name), `metrics lack ${name}`);
    assert.ok(/status="400"/.test(text), 'bad requests are counted by status');
    // promtool lints every family: Axon's own must be clean. prom-client's default Node.js gauges
    // nodejs_active_{handles,requests,resources}_total carry a counter's suffix, its known naming slip.
    const check = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const problems = (check.stdout + check.stderr)
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^axon_nodejs_active_(handles|requests|resources)_total /.test(l));
    assert.deepEqual(problems, [], 'promtool found problems');
  });
});

describe('axon serve: limits', () => {
  test('a body over the limit gets 413, a full queue 429 with Retry-After, a missed deadline 504', async () => {
    const s = await createServer([{ path: MODEL }], {
      bodyLimit: 5_000,
      maxQueueSize: 2,
      maxQueueDelayUs: 300_000,
      maxBatchSize: 64,
    });
    const base = await s.app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const big = await post(base, '/v2/models/digits-cnn/infer', inferBody(new Array(784).fill(0.123456789)));
      assert.equal(big.status, 413);
      // Requests wait 300 ms to be batched: the third finds the queue full; one with a 1 ms deadline expires.
      const waiting = [post(base, '/v2/models/digits-cnn/infer', inferBody(new Array(784).fill(0)))];
      const late = post(
        base,
        '/v2/models/digits-cnn/infer',
        inferBody(new Array(784).fill(0), { parameters: { timeout: 1000 } }),
      );
      await new Promise((r) => setTimeout(r, 50));
      const full = await post(base, '/v2/models/digits-cnn/infer', inferBody(new Array(784).fill(0)));
      assert.equal(full.status, 429);
      assert.equal(full.headers.get('retry-after'), '1');
      assert.equal((await late).status, 504);
      assert.equal((await waiting[0]!).status, 200);
    } finally {
      await s.close();
    }
  });
});

describe('axon command line', () => {
  const axon = (args: string[], input?: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', input, timeout: 60_000 });

  /** The CLI in this process (each spawned `tsx` start costs seconds): exit code and what it wrote. */
  async function inProcess(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    let stdout = '',
      stderr = '';
    const write = (sink: 'out' | 'err') => (chunk: string | Uint8Array) => {
      if (sink === 'out') stdout += String(chunk);
      else stderr += String(chunk);
      return true;
    };
    const saved = [process.stdout.write, process.stderr.write, console.log, console.error] as const;
    process.stdout.write = write('out') as typeof process.stdout.write;
    process.stderr.write = write('err') as typeof process.stderr.write;
    console.log = (...a: unknown[]) => void write('out')(`${a.join(' ')}\n`);
    console.error = (...a: unknown[]) => void write('err')(`${a.join(' ')}\n`);
    try {
      return { status: await main(args), stdout, stderr };
    } finally {
      [process.stdout.write, process.stderr.write, console.log, console.error] = saved;
    }
  }

  test('help, usage errors (exit 2), summary, predict, failures (exit 1)', async () => {
    // One real process for the entry point and its exit code; the rest in this process.
    const help = axon(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /serve/);
    assert.equal(axon(['frobnicate']).status, 2);
    assert.equal((await inProcess(['serve', '--help'])).status, 0);
    assert.equal((await inProcess(['serve'])).status, 2);
    assert.equal((await inProcess(['serve', MODEL, '--port', 'abc'])).status, 2);
    assert.equal((await inProcess(['serve', MODEL, '--log-sample', '2'])).status, 2);
    assert.equal((await inProcess(['serve', MODEL, '--log-sample', '0'])).status, 2);
    assert.equal((await inProcess(['serve', MODEL, '--warmup', '-1'])).status, 2);
    assert.equal((await inProcess(['serve', MODEL, '--warmup', '2.5'])).status, 2);
    const summary = await inProcess(['summary', MODEL]);
    assert.equal(summary.status, 0, summary.stderr);
    assert.match(summary.stdout, /input {2}images \[batch, 1, height, width\]/);
    const dir = mkdtempSync(join(tmpdir(), 'axon-cli-'));
    writeFileSync(join(dir, 'x.json'), JSON.stringify([[chunk(image(4), 28)]]));
    const predict = await inProcess(['predict', MODEL, join(dir, 'x.json'), '--out', join(dir, 'y.json')]);
    assert.equal(predict.status, 0, predict.stderr);
    assert.ok(existsSync(join(dir, 'y.json')));
    const missing = await inProcess(['summary', join(dir, 'nothing.onnx')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read/);
  });

  test('serve answers, then SIGTERM finishes the request in flight and exits 0', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, 'serve', `digits=${MODEL}`, '--port', String(port), '--max-delay-ms', '400'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && !out.includes('serving'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, /serving digits \(v1\)/);
    const base = `http://127.0.0.1:${port}`;
    // The request waits 400 ms in the batch queue; SIGTERM arrives meanwhile.
    const inflight = post(base, '/v2/models/digits/infer', inferBody(image(5)));
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    const r = await inflight;
    const answered = performance.now();
    assert.equal(r.status, 200);
    close((r.json.outputs as { data: number[] }[])[0]!.data, expected(image(5)));
    assert.equal(await exited, 0);
    // Not held open by the client's keep-alive connection (Fastify's keepAliveTimeout is 72 s).
    const lingered = performance.now() - answered;
    assert.ok(lingered < 20_000, `exited ${lingered} ms after the last answer`);
  });
});

describe('a real Prometheus server scrapes /metrics', { skip: promSkip }, () => {
  test('prometheus reports the target up and reads the request counter', async () => {
    const server = await createServer([{ path: MODEL }], { maxQueueDelayUs: 0 });
    const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const dir = mkdtempSync(join(tmpdir(), 'axon-prom-'));
    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: axon\n    static_configs:\n      - targets: ['${base.replace('http://', '')}']\n`,
    );
    const prom = spawn(
      '/usr/bin/prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    try {
      await post(base, '/v2/models/digits-cnn/infer', inferBody(image(1)));
      let value: string | undefined;
      for (let i = 0; i < 100 && value === undefined; i++) {
        await new Promise((r) => setTimeout(r, 200));
        try {
          const q = encodeURIComponent('axon_inference_requests_total{job="axon",status="200"}');
          const r = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${q}`)).json()) as {
            data?: { result?: { value: [number, string] }[] };
          };
          value = r.data?.result?.[0]?.value[1];
        } catch {
          // prometheus still starting
        }
      }
      assert.equal(value, '1', 'prometheus scraped the counter');
    } finally {
      prom.kill('SIGTERM');
      await server.close();
    }
  });
});

function chunk(data: number[], width: number): number[][] {
  return Array.from({ length: data.length / width }, (_, i) => data.slice(i * width, (i + 1) * width));
}

async function batchStats(server: AxonServer): Promise<{ sum: number; count: number }> {
  const m = await server.metrics.registry.getSingleMetricAsString('axon_batch_size');
  return {
    sum: Number(/axon_batch_size_sum\{[^}]*\} (\S+)/.exec(m)?.[1] ?? 0),
    count: Number(/axon_batch_size_count\{[^}]*\} (\S+)/.exec(m)?.[1] ?? 0),
  };
}
