/**
 * `ax.autocast('bfloat16', fn)`: inside fn, matrix products of float32 tensors (matmul, linear
 * layers, convolutions, attention; forward and, when backward() runs inside, backward) round their
 * operands to bfloat16 and accumulate in float32 — PyTorch's CPU autocast for products. On x86 CPUs
 * with AVX512-BF16 the native backend runs them as bf16 dot products (up to twice the float32 rate);
 * elsewhere, and on the JS and wasm backends, the same rounding is applied to copies, so results
 * agree across machines. Tensors stay float32: parameters, gradients and every other op are unchanged.
 * Backends without a bf16 product (WebGPU) compute in float32.
 */
import { ValueError } from '../errors.js';

let active: 'bfloat16' | null = null;

/** The dtype products use now: 'bfloat16' inside autocast, else null. */
export function autocastDtype(): 'bfloat16' | null {
  return active;
}

export function autocast<T>(dtype: 'bfloat16', fn: () => T): T {
  if (dtype !== 'bfloat16')
    throw new ValueError(`autocast: dtype must be 'bfloat16' (float32 products are the default), got ${String(dtype)}`);
  if (typeof fn !== 'function') throw new ValueError(`autocast: expected a function, got ${typeof fn}`);
  const before = active;
  active = dtype;
  try {
    const result = fn();
    if (result instanceof Promise)
      throw new ValueError('autocast: fn returned a Promise; autocast ends when fn returns, so fn must be synchronous');
    return result;
  } finally {
    active = before;
  }
}
