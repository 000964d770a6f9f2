import type { DType, TypedArray } from './dtype.js';
import { giveHostMemory } from './host-memory.js';
import { ownsBuffer, viewsAllowed } from './small-arrays.js';
import { ARRAY_TYPES, DTYPE_BYTES } from './array-types.js';

/**
 * Typed arrays kept for reuse. A fresh array of a few hundred kilobytes costs more than the
 * kernel that fills it (the kernel's first touch of new pages, then the collector's unmapping them:
 * 0.2 ms for 3.2 MB here, four times the cost of filling it), so code that knows an array is dead
 * gives it back and the next allocation it can hold takes it, zeroed. Only an owner
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

/**
 * A request may take a pooled buffer up to this many times its size, as a view of its length. A
 * server's dynamic batches change size from one batch to the next (30 samples, then 41, then 36),
 * so with exact sizes nearly every intermediate missed the pool: fresh pages, and a full garbage
 * collection every ~80 ms driven by the freshly allocated memory (the Fashion-MNIST CNN: 110-149
 * µs a sample at batch sizes varying over 30-46, 92-98 at a fixed 38). The best fit is taken, so
 * a program whose sizes repeat (training) gets its exact sizes back.
 */
const SLACK = 2;

/** Arrays by the size of their buffer in bytes, the size given back most recently last (a Map keeps insertion order). */
const free = new Map<number, TypedArray[]>();
/** The sizes in `free`, ascending, for the best fit. */
let sizes: number[] = [];
/** Buffers the pool lent out as a shorter view: such an array may come back though it is not its whole buffer. */
const lent = new WeakSet<ArrayBufferLike>();
let pooledBytes = 0;

/** The index of the first size ≥ bytes. */
function firstFit(bytes: number): number {
  let lo = 0,
    hi = sizes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sizes[mid]! < bytes) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Takes the list of one size out of `free` (and `sizes`). */
function dropSize(bytes: number): void {
  free.delete(bytes);
  sizes.splice(firstFit(bytes), 1);
}

/**
 * A zeroed array of this dtype and length from the pool, or undefined: the pooled array itself when
 * it has that dtype and length, else a view of that length over the smallest pooled buffer that
 * holds it (at most SLACK times its size).
 */
export function takeArray(dtype: DType, length: number): TypedArray | undefined {
  // (the first test keeps allocation free of lookups in programs that never give arrays back: training)
  const bytes = length * DTYPE_BYTES[dtype];
  if (pooledBytes === 0 || bytes < POOLED_MIN_BYTES) return undefined;
  const i = firstFit(bytes);
  const size = sizes[i];
  if (size === undefined || size > bytes * SLACK || (size !== bytes && !viewsAllowed())) return undefined;
  const list = free.get(size)!;
  const array = list.pop()!;
  if (list.length === 0) dropSize(size);
  pooledBytes -= size;
  if (array.length === length && array instanceof ARRAY_TYPES[dtype]) return array.fill(0);
  const view = new ARRAY_TYPES[dtype](array.buffer as ArrayBuffer, 0, length); // (giveArray keeps only ArrayBuffers)
  if (size !== bytes) lent.add(array.buffer);
  return view.fill(0);
}

/**
 * Hands a dead array to the pool; true if kept. Only arrays that own their buffer: the whole of it,
 * or the start of one the pool lent (not views into others' buffers, nor small arrays' slabs). An
 * array in a backend's memory (host-memory.ts) goes back to that backend.
 */
export function giveArray(_dtype: DType, array: TypedArray): boolean {
  const buffer = array.buffer;
  if (!(buffer instanceof ArrayBuffer)) return giveHostMemory(array);
  const bytes = buffer.byteLength;
  if (bytes < POOLED_MIN_BYTES || bytes > MAX_BYTES) return false;
  if (!ownsBuffer(array) && !(array.byteOffset === 0 && lent.has(buffer))) return false;
  let list = free.get(bytes);
  if (list !== undefined)
    free.delete(bytes); // re-inserted below: now the most recent size
  else {
    list = [];
    sizes.splice(firstFit(bytes), 0, bytes);
  }
  if (pooledBytes + bytes > MAX_BYTES) evict(pooledBytes + bytes - MAX_BYTES);
  free.set(bytes, list);
  list.push(array);
  pooledBytes += bytes;
  return true;
}

/** Drops at least `bytes` of arrays, from the sizes given back least recently. */
function evict(bytes: number): void {
  for (const [size, list] of free) {
    while (bytes > 0 && list.length > 0) {
      list.pop();
      pooledBytes -= size;
      bytes -= size;
    }
    if (list.length === 0) dropSize(size);
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
  sizes = [];
  pooledBytes = 0;
}
