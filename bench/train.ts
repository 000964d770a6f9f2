/**
 * Training throughput (samples/s) of Axon and PyTorch side by side, same workloads, same batch,
 * same optimizer: MLP 784-256-128-10 (b128, SGD momentum 0.9), LeNet-5 (b64, Adam),
 * LSTM in64 h128 seq32 (b32, Adam), Transformer encoder d128 h4 ff512 L2 seq64 (b16, Adam).
 *
 *   npm run bench:train [-- --threads 2 --seconds 3 --only lstm,transformer]
 *
 * PyTorch runs through /usr/bin/python3 (Debian's python3-torch) and is skipped, with a note, when
 * it is not installed; TensorFlow.js (devDependencies, its fastest backend that installs here, one
 * thread) likewise. Figures are only comparable within one run on one machine.
 */
import { arg, torchAnchor } from './anchor.js';
import { tfjsAnchor } from './tfjs-anchor.js';
import * as ax from '../src/index.js';
import { axonThroughput } from './workloads.js';
const seconds = Number(arg('seconds', '3'));
const only = arg('only', 'mlp,lenet,lstm,transformer').split(',');
const threads = Number(arg('threads', '1'));
ax.setNumThreads(threads);

const axon: Record<string, number> = {};
for (const name of only) axon[name] = axonThroughput(name, seconds);
const torch = torchAnchor<Record<string, number>>([
  '--task',
  'train',
  '--threads',
  String(threads),
  '--seconds',
  String(seconds),
  '--only',
  only.join(','),
]);
const tfjs = await tfjsAnchor(only, seconds);
const info = ax.backendInfo();
console.log(
  `Training throughput, samples/s, ${threads} thread(s) each, MLP SGD-momentum, others Adam (backend: ${info.name}${info.isa ? `, ${info.isa}` : ''})`,
);
console.log('workload      axon      torch  axon/torch        tfjs   axon/tfjs');
const cell = (v: number | undefined, digits: number, width: number) =>
  (v === undefined ? '-' : v.toFixed(digits)).padStart(width);
for (const name of only) {
  const t = typeof torch === 'string' ? undefined : torch[name];
  const f = typeof tfjs === 'string' ? undefined : tfjs.samplesPerSecond[name];
  const a = axon[name]!;
  const via = typeof tfjs === 'string' || !tfjs.backend[name] ? '' : ` (${tfjs.backend[name]})`;
  console.log(
    `${name.padEnd(12)} ${cell(a, 1, 8)} ${cell(t, 1, 10)} ${cell(t && a / t, 3, 11)} ${cell(f, 1, 11)} ${cell(f && a / f, 1, 11)}${via}`,
  );
}
if (typeof torch === 'string') console.log(`note: ${torch}`);
if (typeof tfjs === 'string') console.log(`note: ${tfjs}`);
else
  console.log(
    'note: TensorFlow.js on the faster of its wasm and cpu backends that can train the workload (tfjs-node cannot install offline), 1 thread; tfjs-layers has no Transformer encoder layer',
  );
