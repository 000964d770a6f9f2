import type { DType, TypedArray } from './dtype.js';
import { DTYPE_BYTES } from './array-types.js';

/**
 * Host arrays kept in memory a backend's kernels read in place: the wasm backend's threaded build
 * runs on a shared WebAssembly memory, which never detaches when it grows, so tensors' typed arrays
 * can be views of it and a kernel call passes their addresses instead of copying them in and out
 * (in a page those copies were 31 % of an MLP training step). The arrays are ordinary typed arrays
 * over a SharedArrayBuffer to the rest of Axon.
 *
 * Their memory is freed when their storage is (`dispose`, `ax.tidy`, the autograd engine and the
 * ONNX interpreter for what they used up) and otherwise when the garbage collector finalizes the
 * array. A subarray does not keep its parent alive: `t.data.subarray(...)` must not outlive `t.data`.
 */
export interface HostMemory {
  /** A zeroed array of this dtype and length in the backend's memory, or undefined (no room). */
  take(dtype: DType, length: number): TypedArray | undefined;
  /** Frees an array `take` made (true), or refuses any other array (false). */
  give(array: TypedArray): boolean;
}

/**
 * Smaller arrays stay ordinary ones (slabs, V8's heap): copying them into a call costs less than a
 * malloc, a free and the collector's finalization record.
 */
export const HOST_MEMORY_MIN_BYTES = 4 * 1024;

/** The selected backend's memory, if it has one (backend/index.ts installs this; null before). */
let selected: () => HostMemory | null = () => null;
/** Every memory that ever lent arrays: arrays outlive a switch of backend, and go back to their own. */
const owners: HostMemory[] = [];

/**
 * Installed by the backend registry: asking selects the default backend if none was selected yet, so
 * that a model's parameters, made before its first op runs, are in the memory its kernels read.
 */
export function setHostMemorySource(source: () => HostMemory | null): void {
  selected = source;
}

/** A zeroed array in the selected backend's memory, or undefined (ordinary arrays then). */
export function takeHostMemory(dtype: DType, length: number): TypedArray | undefined {
  if (length * DTYPE_BYTES[dtype] < HOST_MEMORY_MIN_BYTES) return undefined;
  const memory = selected();
  if (memory === null) return undefined;
  if (!owners.includes(memory)) owners.push(memory);
  return memory.take(dtype, length);
}

/** Frees an array a backend's memory lent; false for any other array. */
export function giveHostMemory(array: TypedArray): boolean {
  // (only shared buffers can be a backend's memory: the check keeps ordinary arrays off the owners)
  if (owners.length === 0 || array.buffer instanceof ArrayBuffer) return false;
  for (const o of owners) if (o.give(array)) return true;
  return false;
}
