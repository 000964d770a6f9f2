/**
 * The physical limit and sgemm, Axon's native kernel beside PyTorch (OpenBLAS) in one run:
 * the measured single-core FMA peak, then GFLOP/s for square N = 256…2048 at 1 and 2 threads,
 * with Axon's share of the peak (× threads) and the ratio to PyTorch.
 *
 *   npm run bench:gemm [-- --sizes 256,1024]
 */
import * as ax from '../src/index.js';
import { loadAddon } from '../src/backend/native/addon.js';
import { arg, torchAnchor } from './anchor.js';

const addon = loadAddon();
if (!addon) throw new Error('bench:gemm needs the native backend (npm rebuild)');
const sizes = arg('sizes', '256,512,1024,2048').split(',').map(Number);
const peak = addon.peakGflops(0.5);
console.log(`FP32 FMA peak, 1 core (${addon.info().isa}): ${peak.toFixed(1)} GFLOP/s (measured now)`);

function axonGflops(n: number): number {
  const a = ax.rand([n, n]),
    b = ax.rand([n, n]);
  a.matmul(b);
  const reps = Math.max(3, Math.floor(3e9 / (2 * n ** 3)));
  const t = performance.now();
  for (let i = 0; i < reps; i++) a.matmul(b);
  return (2 * n ** 3 * reps) / ((performance.now() - t) / 1000) / 1e9;
}

ax.setBackend('native');
const original = addon.info().threads;
console.log('threads   N      axon GFLOP/s  % of peak   torch GFLOP/s   axon/torch');
for (const threads of [1, 2]) {
  ax.setNumThreads(threads);
  const torch = torchAnchor<Record<string, number>>([
    '--task',
    'gemm',
    '--threads',
    String(threads),
    '--sizes',
    sizes.join(','),
  ]);
  for (const n of sizes) {
    const g = axonGflops(n);
    const t = typeof torch === 'string' ? undefined : torch[String(n)];
    console.log(
      `${String(threads).padStart(7)}  ${String(n).padStart(5)}  ${g.toFixed(1).padStart(12)}  ${((100 * g) / (peak * threads)).toFixed(1).padStart(8)}%  ${t === undefined ? '-'.padStart(14) : t.toFixed(1).padStart(14)}  ${t === undefined ? '-' : (g / t).toFixed(2).padStart(10)}`,
    );
  }
  if (typeof torch === 'string') console.log(`note: ${torch}`);
}
ax.setNumThreads(original);
