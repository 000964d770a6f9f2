import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A command-line option `--name value`, or the fallback. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/**
 * Runs bench/torch_anchor.py with Debian's Python and returns its JSON result, or a string saying
 * why PyTorch could not be run (the benchmark then prints Axon's figures alone and says so).
 */
export function torchAnchor<T>(args: string[]): T | string {
  if (!existsSync('/usr/bin/python3')) return 'PyTorch not run: no /usr/bin/python3';
  const i = args.indexOf('--threads');
  const threads = i >= 0 ? args[i + 1]! : '1';
  try {
    const script = fileURLToPath(new URL('./torch_anchor.py', import.meta.url));
    const out = execFileSync('/usr/bin/python3', [script, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // Debian's OpenBLAS (OpenMP) ignores torch.set_num_threads: only its environment pins it.
      env: { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, MKL_NUM_THREADS: threads },
    });
    return JSON.parse(out.trim().split('\n').pop()!) as T;
  } catch (e) {
    return `PyTorch not run (${(e as Error).message.split('\n')[0]}); apt-get install python3-torch libopenblas0-openmp`;
  }
}

/** Rounds alternating the two sides (`--rounds`, default 5): each figure is the median over them. */
export const ROUNDS = Math.max(1, Number(arg('rounds', '5')));

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs fn and returns its result with this process's CPU time ÷ wall time over the call. */
export function withCpuRatio<T>(fn: () => T): { value: T; cpuPerWall: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, cpuPerWall: (used.user + used.system) / 1000 / wall };
}
