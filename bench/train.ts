/**
 * Training throughput (samples/s) of Axon and PyTorch side by side, same workloads, same batch,
 * same optimizer: MLP 784-256-128-10 (b128, SGD momentum 0.9), LeNet-5 (b64, Adam),
 * LSTM in64 h128 seq32 (b32, Adam), Transformer encoder d128 h4 ff512 L2 seq64 (b16, Adam),
 * ResNet-18 on 3×32×32 (b64, SGD momentum 0.9), GPT-style decoder d256 h4 L4 seq128 vocab 256 (b16
 * sequences, AdamW; a sample is a sequence of 128 next-token predictions).
 * Rounds alternate Axon and PyTorch (`--rounds`, default 5); each figure is the median over the
 * rounds, with its side's CPU time ÷ wall time (a side using more cores than asked shows > threads).
 *
 * With --bf16, Axon trains in ax.autocast('bfloat16') (bfloat16 products, float32 accumulation)
 * beside PyTorch in float32.
 *
 *   npm run bench:train [-- --threads 2 --seconds 2 --rounds 5 --only lstm,transformer --bf16]
 *
 * PyTorch runs through /usr/bin/python3 (Debian's python3-torch) with its BLAS threads pinned in its
 * environment, and is skipped, with a note, when it is not installed; TensorFlow.js (devDependencies,
 * its fastest backend that installs here, one thread, one round) likewise. Figures are only
 * comparable within one run on one machine.
 */
import { ROUNDS, arg, median, torchAnchor, withCpuRatio } from './anchor.js';
import { tfjsAnchor } from './tfjs-anchor.js';
import * as ax from '../src/index.js';
import { WARMUP_STEPS, axonThroughput } from './workloads.js';
const seconds = Number(arg('seconds', '2'));
const only = arg('only', 'mlp,lenet,lstm,transformer,resnet18,gpt').split(',');
const threads = Number(arg('threads', '1'));
const bf16 = process.argv.includes('--bf16');
ax.setNumThreads(threads);

type Sample = { sps: number; cpuPerWall: number };
const axon: Record<string, Sample[]> = {};
const torch: Record<string, Sample[]> = {};
let torchNote: string | undefined;
for (let round = 0; round < ROUNDS; round++) {
  for (const name of only) {
    const { value, cpuPerWall } = withCpuRatio(() => axonThroughput(name, seconds, bf16));
    (axon[name] ??= []).push({ sps: value, cpuPerWall });
  }
  const t = torchAnchor<Record<string, Sample>>([
    ...['--task', 'train', '--threads', String(threads), '--seconds', String(seconds), '--only', only.join(',')],
    ...['--warmup-steps', String(WARMUP_STEPS)],
  ]);
  if (typeof t === 'string') torchNote = t;
  else for (const name of only) if (t[name]) (torch[name] ??= []).push(t[name]);
}
// TensorFlow.js has the first three workloads (tfjs-layers has no Transformer encoder; ResNet and GPT are not built there).
const tfjs = await tfjsAnchor(
  only.filter((w) => ['mlp', 'lenet', 'lstm'].includes(w)),
  seconds,
);
const info = ax.backendInfo();
console.log(
  `Training throughput, samples/s, ${threads} thread(s) each, MLP and ResNet SGD-momentum, GPT AdamW, others Adam (backend: ${info.name}${info.isa ? `, ${info.isa}` : ''}); median of ${ROUNDS} alternating rounds, (CPU ÷ wall)${bf16 ? "; Axon in ax.autocast('bfloat16')" : ''}`,
);
console.log('workload            axon              torch    axon/torch        tfjs   axon/tfjs');
const cell = (v: number | undefined, digits: number, width: number) =>
  (v === undefined ? '-' : v.toFixed(digits)).padStart(width);
const summary = (xs: Sample[] | undefined) =>
  xs?.length ? { sps: median(xs.map((x) => x.sps)), cpu: median(xs.map((x) => x.cpuPerWall)) } : undefined;
for (const name of only) {
  const a = summary(axon[name])!;
  const t = summary(torch[name]);
  const f = typeof tfjs === 'string' ? undefined : tfjs.samplesPerSecond[name];
  const via = typeof tfjs === 'string' || !tfjs.backend[name] ? '' : ` (${tfjs.backend[name]})`;
  const ratio = (s: { cpu: number } | undefined) => (s ? `(${s.cpu.toFixed(2)})` : '').padStart(7);
  console.log(
    `${name.padEnd(12)} ${cell(a.sps, 1, 9)} ${ratio(a)} ${cell(t?.sps, 1, 9)} ${ratio(t)} ${cell(t && a.sps / t.sps, 3, 8)} ${cell(f, 1, 11)} ${cell(f && a.sps / f, 1, 11)}${via}`,
  );
}
if (torchNote) console.log(`note: ${torchNote}`);
if (typeof tfjs === 'string') console.log(`note: ${tfjs}`);
else
  console.log(
    'note: TensorFlow.js on the faster of its wasm and cpu backends that can train the workload (tfjs-node cannot install offline), 1 thread, one round; tfjs-layers has no Transformer encoder layer, and the ResNet and GPT workloads are not written for it',
  );
