/**
 * Batch-1 inference latency of the MLP 784-256-128-10 under noGrad: p50 and p99 in microseconds,
 * Axon beside PyTorch (1 thread each), plus the per-op overhead of a trivial op from TypeScript.
 *
 * Rounds alternate the sides (`--rounds`, default 5; `--seconds` each); figures are medians, with
 * each side's CPU ÷ wall.
 *
 *   npm run bench:latency [-- --seconds 1 --rounds 5]
 */
import * as ax from '../src/index.js';
import { ROUNDS, arg, median, torchAnchor, withCpuRatio } from './anchor.js';

const { nn } = ax;
const seconds = Number(arg('seconds', '1'));
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
const a = ax.randn([4]),
  b = ax.randn([4]);
type Run = { p50: number; p99: number; cpuPerWall: number };
const axon: Run[] = [],
  torch: Run[] = [],
  perOp: number[] = [];
let note: string | undefined;
for (let round = 0; round < ROUNDS; round++) {
  const r = withCpuRatio(() => measure(() => ax.noGrad(() => model.forward(x))));
  axon.push({ ...r.value, cpuPerWall: r.cpuPerWall });
  perOp.push(measure(() => a.add(b)).p50);
  const t = torchAnchor<Run>(['--task', 'latency', '--threads', '1', '--seconds', String(seconds)]);
  if (typeof t === 'string') note = t;
  else torch.push(t);
}
const med = (rs: Run[]) => ({
  p50: median(rs.map((r) => r.p50)),
  p99: median(rs.map((r) => r.p99)),
  cpu: median(rs.map((r) => r.cpuPerWall)),
});
const info = ax.backendInfo();
console.log(
  `MLP 784-256-128-10, batch 1, noGrad, 1 thread (backend ${info.name}${info.isa ? `, ${info.isa}` : ''}); median of ${ROUNDS} alternating rounds`,
);
const A = med(axon);
console.log(`axon   p50 ${A.p50.toFixed(1)} µs   p99 ${A.p99.toFixed(1)} µs   (CPU ÷ wall ${A.cpu.toFixed(2)})`);
if (!torch.length) console.log(`torch  -   (${note})`);
else {
  const T = med(torch);
  console.log(
    `torch  p50 ${T.p50.toFixed(1)} µs   p99 ${T.p99.toFixed(1)} µs   (CPU ÷ wall ${T.cpu.toFixed(2)})   ratio p50 axon/torch ${(A.p50 / T.p50).toFixed(2)}`,
  );
}
console.log(`per-op overhead (add of two 4-element tensors): p50 ${median(perOp).toFixed(2)} µs`);
