import type { DType, TypedArray } from './dtype.js';

/**
 * Small op outputs carved from shared slabs, as Node's Buffer pool does for small Buffers.
 *
 * V8 gives a typed array of more than 64 bytes a backing store from malloc, which the collector's
 * sweeper frees later: the pair costs 0.3-0.5 µs (calloc, free, V8's bookkeeping) against ~0.03 µs
 * for a view into an existing buffer. A smaller one lives inside V8's heap, cheaply, until native
 * code asks for its memory: then V8 moves it out to a fresh backing store, the same malloc. For a
 * batch-1 inference, whose outputs are a few hundred floats, those allocations were ~18 % of the time.
 *
 * A slab is never reused: views are handed out once, in order, from a fresh (zeroed) buffer, and
 * the slab is freed by the collector when its last view dies. The price is that one long-lived small
 * tensor keeps its whole slab (16 KB) alive; hence the 1 KB bound on what comes from a slab, and
 * single elements (a loss a program keeps per step, say) staying in V8's heap. Such a
 * view does not own its ArrayBuffer: code that transfers buffers (postMessage) must check that
 * `byteOffset === 0 && byteLength === buffer.byteLength`, or copy.
 */

const SLAB_BYTES = 16 * 1024;
/** Arrays of two elements up to this size come from a slab. */
const MAX_SMALL_BYTES = 1024;
/** Views start on cache-line boundaries, so threads writing neighbouring arrays do not share a line. */
const ALIGN = 64;

/**
 * AXON_SMALL_ARRAYS=0 gives every array its own buffer: the AddressSanitizer run sets it, so that a
 * kernel writing past a small array hits the allocator's red zone instead of a neighbour's view.
 */
const enabled = typeof process === 'undefined' || process.env['AXON_SMALL_ARRAYS'] !== '0';

/**
 * Whether arrays may be views that leave part of their buffer unused or shared (slabs here, the
 * array pool's lent buffers): not under AXON_SMALL_ARRAYS=0, where every array has its buffer alone.
 */
export function viewsAllowed(): boolean {
  return enabled;
}

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** A zeroed array carved from the current slab, or undefined when the size is not a small one. */
export function smallArray(dtype: DType, size: number): TypedArray | undefined {
  const bytes = size * (dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4);
  if (size < 2 || bytes > MAX_SMALL_BYTES || !enabled) return undefined;
  if (used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const at = used;
  used += Math.ceil(bytes / ALIGN) * ALIGN;
  switch (dtype) {
    case 'float32':
      return new Float32Array(slab, at, size);
    case 'float64':
      return new Float64Array(slab, at, size);
    case 'int32':
      return new Int32Array(slab, at, size);
    case 'bool':
      return new Uint8Array(slab, at, size);
  }
}

/** Whether a typed array is the whole of its buffer (so transferring the buffer moves only it). */
export function ownsBuffer(a: TypedArray): boolean {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
}
