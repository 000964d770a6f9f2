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
  try {
    const script = fileURLToPath(new URL('./torch_anchor.py', import.meta.url));
    const out = execFileSync('/usr/bin/python3', [script, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').pop()!) as T;
  } catch (e) {
    return `PyTorch not run (${(e as Error).message.split('\n')[0]}); apt-get install python3-torch libopenblas0-openmp`;
  }
}
