/**
 * One workload's memory on Axon's side, in a process of its own (bench/memory.ts starts it): RSS
 * after the imports (base), after a tenth of the steps (warm), at the end, and the peak, in MiB.
 *
 *   node --single-threaded --import tsx bench/memory-worker.ts --only mlp --steps 1000
 */
import { arg } from './anchor.js';
import { workload } from './workloads.js';
import * as ax from '../src/index.js';

const name = arg('only', 'mlp');
const steps = Number(arg('steps', '1000'));
const mib = (bytes: number) => bytes / 2 ** 20;
const base = mib(process.memoryUsage.rss());
const { model, opt, x, y } = workload(name);
let warm = base;
for (let i = 0; i < steps; i++) {
  opt.zeroGrad();
  ax.nn.functional.crossEntropy(model.forward(x), y).backward();
  opt.step();
  if (i === Math.floor(steps / 10)) warm = mib(process.memoryUsage.rss());
}
// maxRSS is in KiB.
const peak = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ baseMiB: base, warmMiB: warm, endMiB: mib(process.memoryUsage.rss()), peakMiB: peak }));
