/** Small helpers the example scripts share: command-line flags, data paths, timing. */
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';

/** True when the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(url) === process.argv[1];
}

/** A numeric `--name value` flag, or the default. */
export function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} expects a number, got ${process.argv[i + 1]}`);
  return v;
}

/** A file shipped in data/. */
export function dataPath(name: string): string {
  return fileURLToPath(new URL(`../data/${name}`, import.meta.url));
}

/** Tensors of rows picked by index. */
export function rows(t: ax.Tensor, idx: readonly number[]): ax.Tensor {
  return t.indexSelect(0, ax.tensor([...idx], { dtype: 'int32' }));
}

/** The 8×8 digits as images [N, 1, 8, 8] in [0, 1] with labels, split 80/20 (stratified, seeded). */
export function digits(seed = 0): { xTrain: ax.Tensor; yTrain: ax.Tensor; xTest: ax.Tensor; yTest: ax.Tensor } {
  const d = ax.data.loadCsv(dataPath('digits.csv'), { target: 'label' });
  const x = d.features.div(16).reshape([-1, 1, 8, 8]),
    y = d.target!;
  const [tr, te] = ax.data.stratifiedSplit(y.toArray() as number[], [0.8, 0.2], new ax.Generator(seed));
  return { xTrain: rows(x, tr!), yTrain: rows(y, tr!), xTest: rows(x, te!), yTest: rows(y, te!) };
}

/** Runs fn and returns its result with the wall-clock seconds it took. */
export function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, (performance.now() - t0) / 1000];
}
