/**
 * Imported ONNX models in Axon beside onnxruntime-node, same thread count, same run: a torchvision
 * ResNet-18 and MobileNet v2 on 1×3×224×224, the digits MLP at batch 1, and a 2-layer BERT-style
 * encoder at sequence 128 (graphs from scripts/gen_onnx_torchvision.py, weights from
 * test/helpers/onnx-weights.ts). Rounds alternate Axon and onnxruntime; each prints the median of
 * the rounds' medians, the ratio (> 1: Axon faster) and the CPU/wall ratio of each side, and checks
 * the outputs agree. AlexNet and VGG-11 are checked for agreement only (--all).
 *
 *   npm run bench:onnx [-- --threads 1 --rounds 5 --seconds 1 --all]
 */
import { cpuUsage } from 'node:process';
import * as ort from 'onnxruntime-node';
import * as ax from '../src/index.js';
import { writeWeights } from '../test/helpers/onnx-weights.js';
import { arg } from './anchor.js';

const threads = Number(arg('threads', '1'));
const rounds = Number(arg('rounds', '5'));
const seconds = Number(arg('seconds', '1'));
const all = process.argv.includes('--all');
ax.setNumThreads(threads);
const root = 'test/fixtures/onnx-models';

interface Case {
  name: string;
  dir: string;
  feeds: () => Record<string, ax.Tensor>;
  /** onnxruntime wants int64 where the graph says so. */
  int64?: string[];
  timed: boolean;
}

const image = (size: number) =>
  ax
    .arange(0, 3 * size * size)
    .to('float32')
    .mul(0.37)
    .sin()
    .reshape([1, 3, size, size]);
const ids = ax.tensor(
  Array.from({ length: 128 }, (_, i) => (7 * i + 3) % 100),
  { dtype: 'int32' },
);
const CASES: Case[] = [
  { name: 'resnet18 1×3×224×224', dir: 'resnet18', feeds: () => ({ images: image(224) }), timed: true },
  { name: 'mobilenet_v2 1×3×224×224', dir: 'mobilenet_v2', feeds: () => ({ images: image(224) }), timed: true },
  {
    name: 'digits MLP 64-128-64-10, batch 1',
    dir: 'digits_mlp',
    feeds: () => ({ pixels: ax.rand([1, 64]) }),
    timed: true,
  },
  {
    name: 'BERT-style encoder, 2 layers, d 64, seq 128',
    dir: 'bert',
    feeds: () => ({ input_ids: ids.reshape([1, 128]), attention_mask: ax.ones([1, 128], { dtype: 'int32' }) }),
    int64: ['input_ids', 'attention_mask'],
    timed: true,
  },
  { name: 'alexnet 1×3×224×224', dir: 'alexnet', feeds: () => ({ images: image(224) }), timed: false },
  { name: 'vgg11 1×3×224×224', dir: 'vgg11', feeds: () => ({ images: image(224) }), timed: false },
];

function toOrt(name: string, t: ax.Tensor, int64: string[] = []): ort.Tensor {
  const data = t.contiguous().toTypedArray();
  if (int64.includes(name))
    return new ort.Tensor('int64', BigInt64Array.from(Array.from(data, (v) => BigInt(v))), t.shape);
  return new ort.Tensor('float32', Float32Array.from(data), t.shape);
}

/** Median time per call (ms) and CPU/wall over `seconds` of calls. */
async function time(fn: () => unknown | Promise<unknown>): Promise<{ ms: number; cpu: number }> {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  const c0 = cpuUsage();
  const w0 = performance.now();
  while (performance.now() - w0 < seconds * 1000 || times.length < 3) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  const c = cpuUsage(c0);
  const wall = performance.now() - w0;
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, cpu: (c.user + c.system) / 1000 / wall };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const info = ax.backendInfo();
console.log(
  `ONNX models: Axon (${info.name}${info.isa ? `, ${info.isa}` : ''}) beside onnxruntime-node ${ort.env.versions.common}, ${threads} thread(s), median of ${rounds} rounds\n`,
);
for (const c of CASES) {
  if (!c.timed && !all) continue;
  writeWeights(`${root}/${c.dir}`);
  const model = ax.onnx.load(`${root}/${c.dir}/model.onnx`).eval();
  const session = await ort.InferenceSession.create(`${root}/${c.dir}/model.onnx`, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const feeds = c.feeds();
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(k, v, c.int64)]));
  const run = () => ax.noGrad(() => model.forward(feeds)) as ax.Tensor;
  // Agreement first: the benchmark is only meaningful if both compute the same thing.
  const want = (await session.run(ortFeeds))[session.outputNames[0]!]!.data as Float32Array;
  const got = run().contiguous().toTypedArray();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  const agree = `max |Δ| ${diff.toExponential(1)} (outputs up to ${scale.toExponential(1)})`;
  if (!c.timed) {
    console.log(`${c.name}: ${agree}`);
    continue;
  }
  const axonMs: number[] = [];
  const ortMs: number[] = [];
  const axonCpu: number[] = [];
  const ortCpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = await time(run);
    const o = await time(() => session.run(ortFeeds));
    axonMs.push(a.ms);
    ortMs.push(o.ms);
    axonCpu.push(a.cpu);
    ortCpu.push(o.cpu);
  }
  const am = median(axonMs);
  const om = median(ortMs);
  console.log(
    `${c.name}\n  axon ${am.toFixed(3)} ms (cpu/wall ${median(axonCpu).toFixed(2)})   onnxruntime ${om.toFixed(3)} ms (cpu/wall ${median(ortCpu).toFixed(2)})   ratio ${(om / am).toFixed(2)}×   ${agree}`,
  );
}
