/**
 * Load test of `axon serve` beside an anchor in the same run: the same ONNX model behind a minimal
 * Fastify + onnxruntime-node server without batching (bench/serve-anchor.ts). autocannon on loopback
 * at concurrency 1, 16 and 64: requests/s, p50/p99 latency, and Axon's mean batch size (from its
 * /metrics). Models: the digits MLP (64-128-64-10) and the Fashion-MNIST CNN of the examples
 * (exported to ONNX here). Each server runs as its own process with one inference thread, one after
 * the other (an idle second server on the same two cores slows the first).
 *
 *   npm run bench:serve [-- --seconds 5] [--rounds 5] [--models digits_mlp,fashion-cnn] [--connections 1,16,64]
 *
 * Each figure is the median over the rounds (alternating which server runs first).
 */
import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ax from '../src/index.js';
import { FashionCnn } from '../examples/fashion-mnist-cnn.js';
import { writeWeights } from '../test/helpers/onnx-weights.js';
import { ROUNDS, arg, median } from './anchor.js';

const seconds = Number(arg('seconds', '5'));
const CONNECTIONS = arg('connections', '1,16,64').split(',').map(Number);
const only = arg('models', '')
  .split(',')
  .filter((n) => n !== '');
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
  `axon serve (dynamic batching, 1 worker, 1 thread) beside Fastify + onnxruntime-node (no batching, 1 thread); ${seconds} s per run, median of ${ROUNDS} rounds\n`,
);
for (const m of MODELS.filter((m) => only.length === 0 || only.includes(m.name))) {
  const size = m.shape.reduce((a, b) => a * b, 1);
  const body = JSON.stringify({
    inputs: [
      { name: m.input, shape: m.shape, datatype: 'FP32', data: Array.from({ length: size }, (_, i) => (i % 13) / 13) },
    ],
  });
  const port = 18000 + Math.floor(Math.random() * 1000);
  type Row = { rps: number; p50: number; p99: number; batch: number; bad: number };
  // results[side][connections] holds one row per round.
  const results: Record<'axon' | 'anchor', Map<number, Row[]>> = { axon: new Map(), anchor: new Map() };
  for (let round = 0; round < ROUNDS; round++) {
    // One server at a time (an idle second server on the same two cores still costs the first one),
    // the order alternating from round to round.
    const sides = round % 2 === 0 ? (['axon', 'anchor'] as const) : (['anchor', 'axon'] as const);
    for (const side of sides) {
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
      for (const connections of CONNECTIONS) {
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
        const rows = results[side].get(connections) ?? [];
        rows.push({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          batch: side === 'axon' ? (s1 - s0) / Math.max(1, c1 - c0) : 0,
          bad: r.non2xx + r.errors,
        });
        results[side].set(connections, rows);
      }
      server.kill('SIGTERM');
      await new Promise((r) => server.on('exit', r));
    }
  }
  console.log(m.name);
  for (const c of CONNECTIONS) {
    const of = (side: 'axon' | 'anchor') => {
      const rows = results[side].get(c)!;
      const mid = (k: keyof Row) => median(rows.map((r) => r[k]));
      return {
        rps: mid('rps'),
        p50: mid('p50'),
        p99: mid('p99'),
        batch: mid('batch'),
        bad: rows.reduce((a, r) => a + r.bad, 0),
      };
    };
    const [a, o] = [of('axon'), of('anchor')];
    console.log(
      `  c=${String(c).padStart(2)}  axon ${a.rps.toFixed(0).padStart(6)} req/s p50 ${a.p50} ms p99 ${a.p99} ms mean batch ${a.batch.toFixed(1)}` +
        `   anchor ${o.rps.toFixed(0).padStart(6)} req/s p50 ${o.p50} ms p99 ${o.p99} ms   throughput ×${(a.rps / o.rps).toFixed(2)}${a.bad + o.bad ? `   (${a.bad + o.bad} failed)` : ''}`,
    );
  }
}
process.exit(0);
