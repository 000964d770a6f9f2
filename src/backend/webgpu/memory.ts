/**
 * GPU memory of the WebGPU backend: each storage's buffer is a GpuMemory, taken from a pool of free
 * buffers bucketed by size and given back when the storage is garbage-collected (a
 * FinalizationRegistry), disposed, or released by `ax.tidy`. Creating GPU buffers is slow and their
 * memory is not seen by the JS garbage collector, so reuse is what keeps a training loop's GPU
 * memory flat without a `dispose()` per tensor.
 */
import { BackendError } from '../../errors.js';
import type { TypedArray } from '../../tensor/dtype.js';
import type { DeviceMemory, Storage } from '../../tensor/tensor.js';
import type { GpuType } from './elementwise.js';
import type { GpuKernels } from './kernels.js';

/** Free buffers kept for reuse at most (beyond it, released buffers are destroyed). */
const MAX_POOLED_BYTES = 256 * 2 ** 20;

/** Bucket sizes: 256 bytes, then 4 steps per power of two (at most 25 % unused). */
export function bucketBytes(bytes: number): number {
  if (bytes <= 256) return 256;
  const base = 2 ** Math.floor(Math.log2(bytes));
  for (const f of [1, 1.25, 1.5, 1.75, 2]) if (base * f >= bytes) return base * f;
  return 2 * base;
}

export class GpuMemory implements DeviceMemory {
  readonly backend = 'webgpu';
  constructor(
    private readonly pool: BufferPool,
    public buffer: GPUBuffer | null,
    readonly bytes: number,
    readonly type: GpuType,
    readonly length: number,
  ) {}

  read(): Promise<TypedArray> {
    if (!this.buffer) return Promise.reject(new BackendError('webgpu: this tensor was disposed'));
    return this.pool.kernels.read(this.buffer, this.length, this.type);
  }

  /** Gives the buffer back to the pool; the memory is unusable afterwards. */
  release(): void {
    if (!this.buffer) return;
    this.pool.forget(this);
    this.pool.give(this.buffer, this.bytes);
    this.buffer = null;
  }
}

/** What the pool holds, for tests and for watching a training loop's memory. */
export interface GpuMemoryStats {
  /** Buffers held by live storages, and their bytes. */
  liveBuffers: number;
  liveBytes: number;
  /** Free buffers waiting for reuse, and their bytes. */
  pooledBuffers: number;
  pooledBytes: number;
  /** Buffers ever created (a flat count over a loop means every step reused memory). */
  created: number;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly stats: GpuMemoryStats = {
    liveBuffers: 0,
    liveBytes: 0,
    pooledBuffers: 0,
    pooledBytes: 0,
    created: 0,
  };
  private readonly registry = new FinalizationRegistry<GpuMemory>((memory) => memory.release());

  constructor(readonly kernels: GpuKernels) {}

  /** Memory for `length` elements of `type` owned by `storage` (given back when it is collected). */
  take(type: GpuType, length: number, zeroed: boolean): GpuMemory {
    const bytes = bucketBytes(Math.max(1, length) * 4);
    const reused = this.free.get(bytes)?.pop();
    let buffer: GPUBuffer;
    if (reused) {
      this.stats.pooledBuffers--;
      this.stats.pooledBytes -= bytes;
      buffer = reused;
      if (zeroed) this.kernels.clear(buffer, bytes / 4);
    } else {
      buffer = this.kernels.empty(bytes / 4); // new buffers start zeroed
      this.stats.created++;
    }
    this.stats.liveBuffers++;
    this.stats.liveBytes += bytes;
    return new GpuMemory(this, buffer, bytes, type, length);
  }

  /** Releases `memory` when `storage` is garbage-collected, unless released before. */
  track(storage: Storage, memory: GpuMemory): void {
    this.registry.register(storage, memory, memory);
  }

  forget(memory: GpuMemory): void {
    this.registry.unregister(memory);
  }

  give(buffer: GPUBuffer, bytes: number): void {
    this.stats.liveBuffers--;
    this.stats.liveBytes -= bytes;
    if (this.stats.pooledBytes + bytes > MAX_POOLED_BYTES) {
      this.kernels.retire(buffer);
      return;
    }
    let list = this.free.get(bytes);
    if (!list) this.free.set(bytes, (list = []));
    list.push(buffer);
    this.stats.pooledBuffers++;
    this.stats.pooledBytes += bytes;
  }

  /** A temporary buffer for one kernel call (given back right after it is queued). */
  scratch(type: GpuType, length: number): GpuMemory {
    return this.take(type, length, false);
  }

  snapshot(): GpuMemoryStats {
    return { ...this.stats };
  }
}
