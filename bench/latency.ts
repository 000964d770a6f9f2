/**
 * Batch-1 inference latency of the MLP 784-256-128-10 under noGrad: p50 and p99 in microseconds,
 * Axon beside PyTorch (1 thread each), plus the per-op overhead of a trivial op from TypeScript.
 *
 *   npm run bench:latency [-- --seconds 3]
 */
import * as ax from '../src/index.js';
import { arg, torchAnchor } from './anchor.js';

const { nn } = ax;
const seconds = Number(arg('seconds', '3'));
ax.setNumThreads(1);

function percentiles(times: number[]): { p50: number; p99: number } {
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p99: times[Math.floor(times.length * 0.99)]! };
}

function measure(fn: () => unknown): { p50: number; p99: number; n: number } {
  for (let i = 0; i < 2000; i++) fn();
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return { ...percentiles(times), n: times.length };
}

ax.manualSeed(0);
const model = new nn.Sequential(
  new nn.Linear(784, 256),
  new nn.ReLU(),
  new nn.Linear(256, 128),
  new nn.ReLU(),
  new nn.Linear(128, 10),
).eval();
const x = ax.randn([1, 784]);
const axon = measure(() => ax.noGrad(() => model.forward(x)));
const a = ax.randn([4]),
  b = ax.randn([4]);
const perOp = measure(() => a.add(b));
const torch = torchAnchor<{ p50: number; p99: number }>([
  '--task',
  'latency',
  '--threads',
  '1',
  '--seconds',
  String(seconds),
]);
const info = ax.backendInfo();
console.log(`MLP 784-256-128-10, batch 1, noGrad, 1 thread (backend ${info.name}${info.isa ? `, ${info.isa}` : ''})`);
console.log(`axon   p50 ${axon.p50.toFixed(1)} µs   p99 ${axon.p99.toFixed(1)} µs   (${axon.n} runs)`);
if (typeof torch === 'string') console.log(`torch  -   (${torch})`);
else
  console.log(
    `torch  p50 ${torch.p50.toFixed(1)} µs   p99 ${torch.p99.toFixed(1)} µs   ratio p50 axon/torch ${(axon.p50 / torch.p50).toFixed(2)}`,
  );
console.log(`per-op overhead (add of two 4-element tensors): p50 ${perOp.p50.toFixed(2)} µs`);
