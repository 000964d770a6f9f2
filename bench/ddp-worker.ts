/**
 * One rank of `npm run bench:ddp` (bench/ddp.ts starts it through `axon run`, or alone for the
 * one-process runs). Prints one JSON line on rank 0.
 *
 *   tsx bench/ddp-worker.ts allreduce
 *   tsx bench/ddp-worker.ts mlp|lenet <globalBatch> <seconds>
 */
import * as ax from '../src/index.js';
import { benchModel } from './models.js';

const [task, batchArg, secondsArg] = process.argv.slice(2) as [string, string?, string?];
const group = ax.distributed.init();
const { rank, worldSize } = group;
const cpu0 = process.cpuUsage(),
  wall0 = performance.now();

function timeOp(fn: () => void, minSeconds: number): number {
  // Every rank must run the same number of iterations: the slowest rank's estimate decides.
  const count = (seconds: number) => {
    const t0 = performance.now();
    fn();
    const once = Math.max((performance.now() - t0) / 1000, 1e-6);
    return group.allReduce(ax.tensor([Math.ceil(seconds / once)], { dtype: 'int32' }), { op: 'max' }).item();
  };
  for (let i = 0; i < 20; i++) fn();
  // A second of warm-up: V8's optimising compiler and the allocator settle over hundreds of steps.
  for (let i = count(1); i > 0; i--) fn();
  const iters = count(minSeconds);
  const t1 = performance.now();
  for (let i = 0; i < iters; i++) fn();
  return (performance.now() - t1) / 1000 / iters;
}

const result: Record<string, unknown> = { worldSize };
if (task === 'allreduce') {
  const sizes = [1 << 8, 1 << 12, 1 << 16, 1 << 20, 1 << 22];
  result['allreduce'] = sizes.map((n) => {
    const buf = new Float32Array(n).fill(1);
    const seconds = timeOp(() => group.allReduceArray(buf, 'sum').wait(), 0.5);
    return { floats: n, seconds };
  });
} else {
  const globalBatch = Number(batchArg),
    seconds = Number(secondsArg);
  const { model, input, target } = benchModel(task, globalBatch / worldSize);
  const net = worldSize > 1 ? new ax.distributed.DistributedDataParallel(model) : model;
  const opt = new ax.optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
  const step = () => {
    opt.zeroGrad();
    ax.nn.functional.crossEntropy(net.forward(input), target).backward();
    opt.step();
  };
  const perStep = timeOp(step, seconds);
  result['samplesPerSecond'] = globalBatch / perStep;
}
const cpu = process.cpuUsage(cpu0);
result['cpuPerWall'] = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
if (rank === 0) console.log(JSON.stringify(result));
ax.distributed.destroy();
