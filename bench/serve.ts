/**
 * Load test of `axon serve` beside an anchor in the same run: the same ONNX model behind a minimal
 * Fastify + onnxruntime-node server without batching (bench/serve-anchor.ts). autocannon on loopback
 * at concurrency 1, 16 and 64: requests/s, p50/p99 latency, and Axon's mean batch size (from its
 * /metrics). Models: the digits MLP (64-128-64-10) and the Fashion-MNIST CNN of the examples
 * (exported to ONNX here). Each server runs as its own process with one inference thread, one after
 * the other (an idle second server on the same two cores slows the first).
 *
 *   npm run bench:serve [-- --seconds 5]
 */
import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ax from '../src/index.js';
import { FashionCnn } from '../examples/fashion-mnist-cnn.js';
import { writeWeights } from '../test/helpers/onnx-weights.js';
import { arg } from './anchor.js';

const seconds = Number(arg('seconds', '5'));
const dir = mkdtempSync(join(tmpdir(), 'axon-bench-serve-'));
writeWeights('test/fixtures/onnx-models/digits_mlp');
ax.manualSeed(0);
const cnnPath = join(dir, 'fashion-cnn.onnx');
ax.onnx.export(new FashionCnn(10), ax.rand([2, 1, 28, 28]), cnnPath, {
  inputNames: ['images'],
  dynamicAxes: { images: { 0: 'batch' } },
});

const MODELS = [
  { name: 'digits_mlp', path: 'test/fixtures/onnx-models/digits_mlp/model.onnx', input: 'pixels', shape: [1, 64] },
  { name: 'fashion-cnn', path: cnnPath, input: 'images', shape: [1, 1, 28, 28] },
];

async function start(cmd: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...cmd], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  for (let i = 0; i < 400 && !ready.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  if (!ready.test(out)) throw new Error(`server did not start: ${out}`);
  return child;
}

async function meanBatch(port: number, name: string): Promise<[number, number]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return [
    num(new RegExp(`axon_batch_size_sum\\{model="${name}"[^}]*\\} (\\S+)`)),
    num(new RegExp(`axon_batch_size_count\\{model="${name}"[^}]*\\} (\\S+)`)),
  ];
}

console.log(
  `axon serve (dynamic batching, 1 worker, 1 thread) beside Fastify + onnxruntime-node (no batching, 1 thread); ${seconds} s per run\n`,
);
for (const m of MODELS) {
  const size = m.shape.reduce((a, b) => a * b, 1);
  const body = JSON.stringify({
    inputs: [
      { name: m.input, shape: m.shape, datatype: 'FP32', data: Array.from({ length: size }, (_, i) => (i % 13) / 13) },
    ],
  });
  const port = 18000 + Math.floor(Math.random() * 1000);
  // One server at a time: an idle second server on the same two cores still costs the first one.
  const results = new Map<
    string,
    Map<number, { rps: number; p50: number; p99: number; batch?: number; bad: number }>
  >();
  for (const side of ['axon', 'anchor'] as const) {
    const server =
      side === 'axon'
        ? await start(
            [
              'src/cli.ts',
              'serve',
              `${m.name}=${m.path}`,
              '--port',
              String(port),
              '--max-delay-ms',
              '0',
              '--max-batch',
              '64',
            ],
            /serving/,
          )
        : await start(['bench/serve-anchor.ts', m.path, String(port)], /anchor ready/);
    const rows = new Map<number, { rps: number; p50: number; p99: number; batch?: number; bad: number }>();
    for (const connections of [1, 16, 64]) {
      const [s0, c0] = side === 'axon' ? await meanBatch(port, m.name) : [0, 0];
      const r = await autocannon({
        url: `http://127.0.0.1:${port}/v2/models/${m.name}/infer`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        duration: seconds,
      });
      const [s1, c1] = side === 'axon' ? await meanBatch(port, m.name) : [0, 0];
      rows.set(connections, {
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        batch: side === 'axon' ? (s1 - s0) / Math.max(1, c1 - c0) : undefined,
        bad: r.non2xx + r.errors,
      });
    }
    results.set(side, rows);
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
  }
  console.log(m.name);
  for (const c of [1, 16, 64]) {
    const a = results.get('axon')!.get(c)!;
    const o = results.get('anchor')!.get(c)!;
    console.log(
      `  c=${String(c).padStart(2)}  axon ${a.rps.toFixed(0).padStart(6)} req/s p50 ${a.p50} ms p99 ${a.p99} ms mean batch ${a.batch!.toFixed(1)}` +
        `   anchor ${o.rps.toFixed(0).padStart(6)} req/s p50 ${o.p50} ms p99 ${o.p99} ms   throughput ×${(a.rps / o.rps).toFixed(2)}${a.bad + o.bad ? `   (${a.bad + o.bad} failed)` : ''}`,
    );
  }
}
process.exit(0);
