import type { DType, TypedArray } from './dtype.js';
import { ownsBuffer } from './small-arrays.js';

/**
 * Large typed arrays kept for reuse. A fresh array of a few hundred kilobytes costs more than the
 * kernel that fills it (the kernel's first touch of new pages, then the collector's unmapping them:
 * 0.2 ms for 3.2 MB here, four times the cost of filling it), so code that knows an array is dead
 * gives it back and the next allocation of the same dtype and length takes it, zeroed. Only an owner
 * that can prove nothing else refers to the array may give it back: the ONNX interpreter does so for
 * the intermediates of a run without autograd (src/onnx/release.ts).
 */

/** Smaller arrays live in V8's young generation, which allocates and frees them cheaply. */
export const POOLED_MIN_BYTES = 64 * 1024;
/** The pool's bound per thread; past it, given arrays are left to the collector. */
const MAX_BYTES = 256 * 1024 * 1024;

const free = new Map<string, TypedArray[]>();
let pooledBytes = 0;

const key = (dtype: DType, length: number) => `${dtype}:${length}`;
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** A zeroed array of this dtype and length from the pool, or undefined. */
export function takeArray(dtype: DType, length: number): TypedArray | undefined {
  // (the first test keeps allocation free of lookups in programs that never give arrays back: training)
  if (pooledBytes === 0 || length * BYTES[dtype] < POOLED_MIN_BYTES) return undefined;
  const list = free.get(key(dtype, length));
  const array = list?.pop();
  if (array === undefined) return undefined;
  pooledBytes -= array.byteLength;
  return array.fill(0);
}

/** Hands a dead array to the pool; true if kept. Only whole arrays (not views into larger buffers). */
export function giveArray(dtype: DType, array: TypedArray): boolean {
  const bytes = array.byteLength;
  if (bytes < POOLED_MIN_BYTES || !ownsBuffer(array)) return false;
  if (!(array.buffer instanceof ArrayBuffer) || pooledBytes + bytes > MAX_BYTES) return false;
  const k = key(dtype, array.length);
  let list = free.get(k);
  if (list === undefined) free.set(k, (list = []));
  list.push(array);
  pooledBytes += bytes;
  return true;
}

/** The bytes held for reuse (for tests and memory reports). */
export function pooledArrayBytes(): number {
  return pooledBytes;
}

/** Drops every pooled array (tests; or to return memory after a burst). */
export function clearArrayPool(): void {
  free.clear();
  pooledBytes = 0;
}
