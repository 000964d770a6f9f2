/**
 * Tensors' arrays in the threaded wasm build's memory (see src/tensor/host-memory.ts): allocated by
 * the module's malloc, viewed from JS as typed arrays over its SharedArrayBuffer, and passed to
 * kernels by address. Shared memory never detaches when it grows (growing hands out a longer
 * SharedArrayBuffer over the same memory; views of the older ones stay valid), which is what makes
 * the views safe to keep. The single-threaded build's memory is an ordinary ArrayBuffer, detached on
 * every growth: it keeps copying.
 */
import type { DType, TypedArray } from '../../tensor/dtype.js';
import type { HostMemory } from '../../tensor/host-memory.js';
import { ARRAY_TYPES, DTYPE_BYTES } from '../../tensor/array-types.js';

/**
 * Lending stops while more than this many bytes are lent and not freed, or twice what was lent right
 * after the collector's last frees if that is more. The collector does not see module memory (a
 * view is a small object to it), so a program that neither disposes nor uses `ax.tidy` would fill the
 * module's 2 GB before any collection: an MLP trained so reached it in 1 500 steps. Past the bound,
 * new arrays are ordinary ones, whose memory the collector counts: it runs, finalizes the dead
 * views, and lending resumes.
 */
const MIN_BUDGET = 256 * 1024 * 1024;

/** What ModuleArrays needs of the module. */
export interface ModuleHeap {
  /** The memory's buffer now (a new, longer SharedArrayBuffer after each growth). */
  buffer(): ArrayBufferLike;
  /**
   * Zeroed memory, 16-byte aligned, or 0 when the memory cannot grow enough. (Zeroed by the module:
   * JS's fill() on a view of shared memory stores element by element, ten times slower.)
   */
  allocZeroed(bytes: number): number;
  free(address: number): void;
}

export class ModuleArrays implements HostMemory {
  /** The arrays lent and not yet freed: only these may be given back (not subarrays of them, not twice). */
  private readonly live = new WeakSet<TypedArray>();
  /** Frees an array's memory once the collector found it unreachable without a dispose. */
  private readonly finalizer = new FinalizationRegistry<{ address: number; bytes: number }>((a) => {
    this.free(a);
    this.afterCollection = this.lent;
  });
  /** Every SharedArrayBuffer over the memory that views were made on. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private lent = 0;
  /** Bytes lent right after the collector's latest frees: about what the program keeps alive. */
  private afterCollection = 0;

  constructor(private readonly heap: ModuleHeap) {}

  take(dtype: DType, length: number): TypedArray | undefined {
    const bytes = length * DTYPE_BYTES[dtype];
    if (this.lent + bytes > Math.max(MIN_BUDGET, 2 * this.afterCollection)) return undefined;
    const address = this.heap.allocZeroed(bytes);
    if (address === 0) return undefined; // out of module memory: an ordinary array, copied per call
    const buffer = this.heap.buffer();
    this.buffers.add(buffer);
    // (typed as an ArrayBuffer only to pick the constructor's overload: it is a SharedArrayBuffer)
    const array = new ARRAY_TYPES[dtype](buffer as ArrayBuffer, address, length);
    this.live.add(array);
    this.finalizer.register(array, { address, bytes }, array);
    this.lent += bytes;
    return array;
  }

  give(array: TypedArray): boolean {
    if (!this.live.delete(array)) return false;
    this.finalizer.unregister(array);
    this.free({ address: array.byteOffset, bytes: array.byteLength });
    return true;
  }

  private free(a: { address: number; bytes: number }): void {
    this.heap.free(a.address);
    this.lent -= a.bytes;
  }

  /** Bytes of module memory lent to arrays not yet freed. */
  lentBytes(): number {
    return this.lent;
  }

  /** Whether an array is a view of the module's memory (so a kernel can read it in place). */
  inModule(array: TypedArray): boolean {
    return this.buffers.has(array.buffer);
  }
}
