import type { DType, TypedArray } from './dtype.js';
import { ownsBuffer } from './small-arrays.js';

/**
 * Typed arrays kept for reuse. A fresh array of a few hundred kilobytes costs more than the
 * kernel that fills it (the kernel's first touch of new pages, then the collector's unmapping them:
 * 0.2 ms for 3.2 MB here, four times the cost of filling it), so code that knows an array is dead
 * gives it back and the next allocation of the same dtype and length takes it, zeroed. Only an owner
 * that can prove nothing else refers to the array may give it back: the ONNX interpreter for the
 * intermediates of a run without autograd (src/onnx/release.ts), the autograd engine for gradients
 * it used up, and `dispose`/`ax.tidy` for the tensors they free (src/tensor/scope.ts).
 */

/**
 * Arrays under a page are left to the allocator (V8 keeps those under 64 bytes on its own heap; the
 * others come from malloc, or Chromium's PartitionAlloc, out of pages already touched). From a page
 * up, a fresh array is fresh pages: in Chromium a 16 KB array filled once ran at 0.2 GB/s, a reused
 * one at 57 GB/s (Node: 2.3 and 71), so the pool takes them from 4 KB.
 */
export const POOLED_MIN_BYTES = 4 * 1024;
/**
 * The pool's bound per thread. Past it, the arrays of the sizes given back least recently are
 * dropped (left to the collector), so that sizes a program stopped using (a last short batch, other
 * sequence lengths) do not hold the pool's room.
 */
const MAX_BYTES = 256 * 1024 * 1024;

/** Arrays by dtype and length, the size given back most recently last (a Map keeps insertion order). */
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
  if (!(array.buffer instanceof ArrayBuffer) || bytes > MAX_BYTES) return false;
  const k = key(dtype, array.length);
  let list = free.get(k);
  if (list !== undefined)
    free.delete(k); // re-inserted below: now the most recent size
  else list = [];
  if (pooledBytes + bytes > MAX_BYTES) evict(pooledBytes + bytes - MAX_BYTES);
  free.set(k, list);
  list.push(array);
  pooledBytes += bytes;
  return true;
}

/** Drops at least `bytes` of arrays, from the sizes given back least recently. */
function evict(bytes: number): void {
  for (const [k, list] of free) {
    while (bytes > 0 && list.length > 0) {
      const dropped = list.pop()!.byteLength;
      pooledBytes -= dropped;
      bytes -= dropped;
    }
    if (list.length === 0) free.delete(k);
    if (bytes <= 0) return;
  }
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
