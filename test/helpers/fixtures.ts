import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ax from '../../src/index.js';

export interface EncodedTensor {
  shape: number[];
  dtype: ax.DType;
  data: (number | boolean | string)[];
}

/** Reads a fixture JSON file from test/fixtures. */
export function loadFixture<T>(name: string): T {
  const path = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Decodes a tensor written by a fixture script (NaN and infinities arrive as strings). */
export function decode(e: EncodedTensor): ax.Tensor {
  const values = e.data.map((v) => (typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : Number(v)));
  const arrays = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array } as const;
  return ax.fromTypedArray(arrays[e.dtype].from(values), e.shape);
}

/** Asserts shape, dtype and values within |a - b| <= atol + rtol·|b| (NaN equals NaN). */
export function assertClose(actual: ax.Tensor, expected: ax.Tensor, what: string, atol = 1e-5, rtol = 1e-4): void {
  if (actual.dtype !== expected.dtype) throw new Error(`${what}: dtype ${actual.dtype}, expected ${expected.dtype}`);
  if (actual.shape.join(',') !== expected.shape.join(','))
    throw new Error(`${what}: shape [${actual.shape}], expected [${expected.shape}]`);
  const a = actual.toTypedArray(),
    b = expected.toTypedArray();
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!,
      y = b[i]!;
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      throw new Error(`${what}: element ${i} is ${x}, expected ${y} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** Backpropagates sum_k (out_k · gradOutput_k).sum(), the loss every fixture script uses. */
export function backwardThrough(outs: ax.Tensor[], gradOutputs: (EncodedTensor | null)[]): void {
  let loss: ax.Tensor | null = null;
  outs.forEach((o, k) => {
    const g = gradOutputs[k];
    if (!g || !o.requiresGrad) return;
    const term = o.mul(decode(g)).sum();
    loss = loss ? loss.add(term) : term;
  });
  (loss as ax.Tensor | null)?.backward();
}
