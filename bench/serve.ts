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
 * Each figure is the median over the rounds (alternating which server runs first). Beside them, the CPU
 * time each request cost the server process (all its threads) and the load generator (this process):
 * the three share the machine's cores, so a server's throughput is bounded by what both together
 * spend per request.
 */
import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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

/** CPU seconds a process has used, all its threads, user + system (Linux's /proc; NaN elsewhere). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks: USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
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
  `axon serve (dynamic batching, 1 worker, 1 thread) beside Fastify + onnxruntime-node (no batching, 1 thread); ${seconds} s per run, median of ${ROUNDS} rounds\n` +
    'CPU/req: CPU time per request in the server process (all threads) + in the load generator\n',
);
for (const m of MODELS.filter((m) => only.length === 0 || only.includes(m.name))) {
  const size = m.shape.reduce((a, b) => a * b, 1);
  const body = JSON.stringify({
    inputs: [
      { name: m.input, shape: m.shape, datatype: 'FP32', data: Array.from({ length: size }, (_, i) => (i % 13) / 13) },
    ],
  });
  const port = 18000 + Math.floor(Math.random() * 1000);
  // cpu and gen: µs of CPU per request in the server and in the load generator.
  type Row = { rps: number; p50: number; p99: number; batch: number; bad: number; cpu: number; gen: number };
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
        const [server0, gen0] = [cpuSeconds(server.pid!), process.cpuUsage()];
        const r = await autocannon({
          url: `http://127.0.0.1:${port}/v2/models/${m.name}/infer`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          connections,
          duration: seconds,
        });
        const [server1, gen] = [cpuSeconds(server.pid!), process.cpuUsage(gen0)];
        const [s1, c1] = side === 'axon' ? await meanBatch(port, m.name) : [0, 0];
        const served = Math.max(1, r.requests.total);
        const rows = results[side].get(connections) ?? [];
        rows.push({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          batch: side === 'axon' ? (s1 - s0) / Math.max(1, c1 - c0) : 0,
          bad: r.non2xx + r.errors,
          cpu: ((server1 - server0) * 1e6) / served,
          gen: (gen.user + gen.system) / served,
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
        cpu: mid('cpu'),
        gen: mid('gen'),
        bad: rows.reduce((a, r) => a + r.bad, 0),
      };
    };
    const [a, o] = [of('axon'), of('anchor')];
    const cpu = (r: { cpu: number; gen: number }) => `CPU/req ${r.cpu.toFixed(0)} + ${r.gen.toFixed(0)} µs`;
    console.log(
      `  c=${String(c).padStart(2)}  axon ${a.rps.toFixed(0).padStart(6)} req/s p50 ${a.p50} ms p99 ${a.p99} ms mean batch ${a.batch.toFixed(1)} ${cpu(a)}` +
        `   anchor ${o.rps.toFixed(0).padStart(6)} req/s p50 ${o.p50} ms p99 ${o.p99} ms ${cpu(o)}   throughput ×${(a.rps / o.rps).toFixed(2)}${a.bad + o.bad ? `   (${a.bad + o.bad} failed)` : ''}`,
    );
  }
}
process.exit(0);
