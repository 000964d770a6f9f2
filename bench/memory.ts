/**
 * Resident memory of bench:train's workloads, Axon beside PyTorch: each side trains each workload
 * for --steps steps in a fresh process (Axon: bench/memory-worker.ts; PyTorch: torch_anchor.py
 * --task memory) and reports its RSS after the imports (base), after a tenth of the steps (warm),
 * at the end, and its peak. "peak − base" is what the workload itself took; "end − warm" is growth
 * over the run (the leak test is test/memory.soak.test.ts).
 *
 *   npm run bench:memory [-- --steps 1000 --threads 1 --only mlp,lenet]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { arg, torchAnchor } from './anchor.js';

type Memory = { baseMiB: number; warmMiB: number; endMiB: number; peakMiB: number };
const steps = arg('steps', '1000');
const threads = arg('threads', '1');
const only = arg('only', 'mlp,lenet,lstm,transformer').split(',');

function axonMemory(name: string): Memory {
  const worker = fileURLToPath(new URL('./memory-worker.ts', import.meta.url));
  const out = execFileSync(
    process.execPath,
    ['--single-threaded', '--import', 'tsx', worker, '--only', name, '--steps', steps],
    { encoding: 'utf8', env: { ...process.env, AXON_NUM_THREADS: threads } },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Memory;
}

console.log(`Resident memory (MiB) over ${steps} training steps, ${threads} thread(s), each side in a fresh process`);
console.log('workload       axon: base  peak  peak-base  end-warm    torch: base  peak  peak-base  end-warm');
const f = (v: number | undefined, w: number) => (v === undefined ? '-' : v.toFixed(1)).padStart(w);
let note: string | undefined;
for (const name of only) {
  const a = axonMemory(name);
  const t = torchAnchor<Memory>(['--task', 'memory', '--threads', threads, '--only', name, '--steps', steps]);
  const tm = typeof t === 'string' ? undefined : t;
  if (typeof t === 'string') note = t;
  console.log(
    `${name.padEnd(12)} ${f(a.baseMiB, 11)} ${f(a.peakMiB, 5)} ${f(a.peakMiB - a.baseMiB, 10)} ${f(a.endMiB - a.warmMiB, 9)}  ${f(tm?.baseMiB, 13)} ${f(tm?.peakMiB, 5)} ${f(tm && tm.peakMiB - tm.baseMiB, 10)} ${f(tm && tm.endMiB - tm.warmMiB, 9)}`,
  );
}
if (note) console.log(`note: ${note}`);
