/**
 * Scaling curves: training throughput (samples/s) against batch size (1…512) and against model
 * width, for an MLP (784-w-w-10) and a CNN (LeNet-5 with 6k and 16k channels), Axon beside PyTorch
 * (SGD momentum, 1 thread each unless --threads). Rounds alternate the sides (`--rounds`, default 5);
 * each point is the median, and the table gives each side's CPU ÷ wall. Writes two PNG charts
 * (docs/scaling-batch.png, docs/scaling-width.png, or --out DIR) with ax.io.saveLineChart.
 *
 *   npm run bench:scaling [-- --threads 1 --seconds 0.3 --rounds 5 --out docs]
 */
import { join } from 'node:path';
import * as ax from '../src/index.js';
import { ROUNDS, arg, median, torchAnchor, withCpuRatio } from './anchor.js';
import { WARMUP_STEPS, trainThroughput } from './workloads.js';

const { nn } = ax;
const seconds = Number(arg('seconds', '0.3'));
const threads = Number(arg('threads', '1'));
const outDir = arg('out', 'docs');
ax.setNumThreads(threads);

type Kind = 'mlp' | 'cnn';
type Point = [kind: Kind, width: number, batch: number];
const BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
const BATCH_SWEEP: Point[] = [
  ...BATCHES.map((b): Point => ['mlp', 256, b]),
  ...BATCHES.map((b): Point => ['cnn', 1, b]),
];
const WIDTH_SWEEP: Point[] = [
  ...[64, 128, 256, 512, 1024, 2048].map((w): Point => ['mlp', w, 128]),
  ...[1, 2, 4, 8].map((k): Point => ['cnn', k, 64]),
];
const POINTS = [...BATCH_SWEEP, ...WIDTH_SWEEP];

/** The same models as bench/torch_anchor.py's scaled_model. */
function model(kind: Kind, width: number): [ax.nn.Module, number[]] {
  if (kind === 'mlp')
    return [
      new nn.Sequential(
        new nn.Linear(784, width),
        new nn.ReLU(),
        new nn.Linear(width, width),
        new nn.ReLU(),
        new nn.Linear(width, 10),
      ),
      [784],
    ];
  const [c1, c2] = [6 * width, 16 * width];
  return [
    new nn.Sequential(
      new nn.Conv2d(1, c1, 5, { padding: 2 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(c1, c2, 5),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(c2 * 25, 120),
      new nn.ReLU(),
      new nn.Linear(120, 84),
      new nn.ReLU(),
      new nn.Linear(84, 10),
    ),
    [1, 28, 28],
  ];
}

function axonThroughput([kind, width, batch]: Point): number {
  ax.manualSeed(0);
  const [net, shape] = model(kind, width);
  const opt = new ax.optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
  return trainThroughput(net, opt, ax.randn([batch, ...shape]), ax.randint(0, 10, [batch]), seconds);
}

type Sample = { sps: number; cpuPerWall: number };
const axon: Sample[][] = POINTS.map(() => []),
  torch: Sample[][] = POINTS.map(() => []);
let note: string | undefined;
for (let round = 0; round < ROUNDS; round++) {
  POINTS.forEach((p, i) => {
    const r = withCpuRatio(() => axonThroughput(p));
    axon[i]!.push({ sps: r.value, cpuPerWall: r.cpuPerWall });
  });
  const t = torchAnchor<Sample[]>([
    ...['--task', 'scaling', '--threads', String(threads), '--seconds', String(seconds)],
    ...['--warmup-steps', String(WARMUP_STEPS)],
    ...['--points', JSON.stringify(POINTS)],
  ]);
  if (typeof t === 'string') note = t;
  else t.forEach((s, i) => torch[i]!.push(s));
}
const med = (xs: Sample[]) => (xs.length ? median(xs.map((s) => s.sps)) : undefined);
const cpu = (xs: Sample[]) => (xs.length ? median(xs.map((s) => s.cpuPerWall)).toFixed(2) : '-');

console.log(
  `Training throughput, samples/s, SGD momentum, ${threads} thread(s) each; median of ${ROUNDS} alternating rounds (CPU ÷ wall)`,
);
console.log('model  width  batch        axon           torch   axon/torch');
POINTS.forEach(([kind, width, batch], i) => {
  const a = med(axon[i]!)!,
    t = med(torch[i]!);
  console.log(
    `${kind.padEnd(5)} ${String(kind === 'mlp' ? width : `${width}x`).padStart(6)} ${String(batch).padStart(6)}  ${a.toFixed(0).padStart(9)} (${cpu(axon[i]!)})  ${t === undefined ? '-'.padStart(9) : t.toFixed(0).padStart(9)} (${cpu(torch[i]!)})  ${t === undefined ? '-' : (a / t).toFixed(2).padStart(8)}`,
  );
});
if (note) console.log(`note: ${note}`);

/** One chart's series: Axon solid, PyTorch dashed, per model, over one sweep's points. */
function series(sweep: Point[], x: (p: Point) => number): ax.io.LineSeries[] {
  const out: ax.io.LineSeries[] = [];
  for (const kind of ['mlp', 'cnn'] as const)
    for (const [side, samples] of [
      ['Axon', axon],
      ['PyTorch', torch],
    ] as const) {
      const idx = POINTS.map((p, i) => [p, i] as const).filter(([p]) => p[0] === kind && sweep.includes(p));
      if (idx.some(([, i]) => !samples[i]!.length)) continue;
      out.push({
        name: `${side} ${kind === 'mlp' ? 'MLP' : 'CNN'}`,
        x: idx.map(([p]) => x(p)),
        y: idx.map(([, i]) => med(samples[i]!)!),
        dashed: side === 'PyTorch',
      });
    }
  return out;
}
const date = new Date().toISOString().slice(0, 10);
const machine = `${ax.backendInfo().isa ?? ''}, ${threads} thread(s), ${date}`;
ax.io.saveLineChart(join(outDir, 'scaling-batch.png'), {
  title: `Training samples/s vs batch (MLP 784-256-256-10, LeNet-5; ${machine})`,
  series: series(BATCH_SWEEP, (p) => p[2]),
  xLabel: 'batch size',
  yLabel: 'samples/s',
  logX: true,
  logY: true,
});
ax.io.saveLineChart(join(outDir, 'scaling-width.png'), {
  title: `Training samples/s vs width (MLP w/64 at batch 128, CNN channels x k at 64; ${machine})`,
  series: series(WIDTH_SWEEP, (p) => (p[0] === 'mlp' ? p[1] / 64 : p[1])),
  xLabel: 'width (x the smallest)',
  yLabel: 'samples/s',
  logX: true,
  logY: true,
});
console.log(`charts: ${join(outDir, 'scaling-batch.png')}, ${join(outDir, 'scaling-width.png')}`);
