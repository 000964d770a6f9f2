/**
 * The physical limit and sgemm, Axon's native kernel beside PyTorch (OpenBLAS) in one run:
 * the measured single-core FMA peak, then GFLOP/s for square N = 256…2048 at 1 and 2 threads,
 * with Axon's share of the peak (× threads) and the ratio to PyTorch.
 *
 * Rounds alternate the sides (`--rounds`, default 5); figures are medians, with each side's CPU ÷ wall.
 *
 * With --bf16, Axon's rows are ax.autocast('bfloat16') products (bfloat16 operands, float32
 * accumulation; AVX512-BF16 where the CPU has it) beside PyTorch's float32 sgemm.
 *
 *   npm run bench:gemm [-- --sizes 256,1024 --rounds 5 --bf16]
 */
import * as ax from '../src/index.js';
import { loadAddon } from '../src/backend/native/addon.js';
import { ROUNDS, arg, median, torchAnchor, withCpuRatio } from './anchor.js';

const addon = loadAddon();
if (!addon) throw new Error('bench:gemm needs the native backend (npm rebuild)');
const sizes = arg('sizes', '256,512,1024,2048').split(',').map(Number);
const peak = addon.peakGflops(0.5);
console.log(`FP32 FMA peak, 1 core (${addon.info().isa}): ${peak.toFixed(1)} GFLOP/s (measured now)`);

const bf16 = process.argv.includes('--bf16');

function axonGflops(n: number): number {
  const a = ax.rand([n, n]),
    b = ax.rand([n, n]);
  const product = bf16 ? () => ax.autocast('bfloat16', () => a.matmul(b)) : () => a.matmul(b);
  product();
  const reps = Math.max(3, Math.floor(3e9 / (2 * n ** 3)));
  const t = performance.now();
  for (let i = 0; i < reps; i++) product();
  return (2 * n ** 3 * reps) / ((performance.now() - t) / 1000) / 1e9;
}

ax.setBackend('native');
const original = addon.info().threads;
console.log(
  `median of ${ROUNDS} alternating rounds; (CPU ÷ wall) of each side${bf16 ? "; Axon in ax.autocast('bfloat16'), PyTorch float32" : ''}`,
);
console.log('threads   N      axon GFLOP/s          % of peak   torch GFLOP/s          axon/torch');
type Sample = { gflops: number; cpuPerWall: number };
for (const threads of [1, 2]) {
  ax.setNumThreads(threads);
  const axon = new Map<number, Sample[]>(),
    torch = new Map<number, Sample[]>();
  let note: string | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of sizes) {
      const { value, cpuPerWall } = withCpuRatio(() => axonGflops(n));
      axon.set(n, [...(axon.get(n) ?? []), { gflops: value, cpuPerWall }]);
    }
    const t = torchAnchor<Record<string, Sample>>([
      ...['--task', 'gemm', '--threads', String(threads), '--sizes', sizes.join(',')],
    ]);
    if (typeof t === 'string') note = t;
    else for (const n of sizes) if (t[String(n)]) torch.set(n, [...(torch.get(n) ?? []), t[String(n)]!]);
  }
  const med = (xs: Sample[] | undefined) =>
    xs?.length ? { g: median(xs.map((x) => x.gflops)), c: median(xs.map((x) => x.cpuPerWall)) } : undefined;
  for (const n of sizes) {
    const a = med(axon.get(n))!;
    const t = med(torch.get(n));
    const side = (s: { g: number; c: number } | undefined) =>
      s ? `${s.g.toFixed(1).padStart(8)} (${s.c.toFixed(2)})` : '-'.padStart(15);
    console.log(
      `${String(threads).padStart(7)}  ${String(n).padStart(5)}  ${side(a).padStart(20)}  ${((100 * a.g) / (peak * threads)).toFixed(1).padStart(8)}%  ${side(t).padStart(20)}  ${t === undefined ? '-' : (a.g / t.g).toFixed(2).padStart(10)}`,
    );
  }
  if (note) console.log(`note: ${note}`);
}
ax.setNumThreads(original);
