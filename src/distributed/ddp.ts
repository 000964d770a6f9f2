import { queueCallback } from '../autograd/engine.js';
import { noGrad } from '../autograd/grad-mode.js';
import { checkOptionNames, show } from '../check.js';
import { ValueError } from '../errors.js';
import { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { fromTypedArray } from '../tensor/create.js';
import type { CommArray } from './addon.js';
import { type ProcessGroup, Work } from './process-group.js';
import { defaultGroup } from './state.js';

export interface DDPOptions {
  /** Default: the default process group. */
  group?: ProcessGroup;
  /** Largest gradient bucket in MiB (PyTorch's bucket_cap_mb); the first bucket is 1 MiB. Default 25. */
  bucketCapMb?: number;
  /** Copy rank 0's buffers (BatchNorm running statistics) to every rank before each training forward. Default true. */
  broadcastBuffers?: boolean;
}

/**
 * Gradients of a few parameters summed in one collective. The buffer holds each parameter's
 * gradient divided by the world size, then one "used" flag per parameter, so a parameter no rank
 * used keeps a null gradient.
 */
class Bucket {
  readonly offsets: number[] = [];
  readonly buffer: CommArray;
  ready = 0;
  work: Work | null = null;

  constructor(readonly params: Parameter[]) {
    let n = 0;
    for (const p of params) {
      this.offsets.push(n);
      n += p.numel;
    }
    this.buffer =
      params[0]!.dtype === 'float64' ? new Float64Array(n + params.length) : new Float32Array(n + params.length);
  }

  /** Copies the gradients in (scaled by 1/worldSize) and starts summing them across ranks. */
  launch(group: ProcessGroup): void {
    const scale = 1 / group.worldSize;
    const flags = this.buffer.length - this.params.length;
    this.params.forEach((p, k) => {
      const off = this.offsets[k]!;
      const g = p.grad;
      if (g === null) {
        this.buffer.fill(0, off, off + p.numel);
        this.buffer[flags + k] = 0;
        return;
      }
      const src = g.contiguous();
      const data = src.data.subarray(src.offset, src.offset + p.numel);
      for (let i = 0; i < data.length; i++) this.buffer[off + i] = data[i]! * scale;
      this.buffer[flags + k] = 1;
    });
    this.work = group.allReduceArray(this.buffer, 'sum');
  }

  /** Waits for the sum and writes the averaged gradients back into .grad. */
  finish(): void {
    const work = this.work!;
    this.work = null;
    this.ready = 0;
    work.wait();
    const flags = this.buffer.length - this.params.length;
    this.params.forEach((p, k) => {
      if (this.buffer[flags + k] === 0) return; // no rank used it: its gradient stays as it was
      const off = this.offsets[k]!;
      const avg = this.buffer.subarray(off, off + p.numel);
      const g = p.grad;
      if (g !== null && g.isContiguous() && !g.requiresGrad) {
        g.data.set(avg, g.offset);
        g.storage.version++;
      } else {
        p.grad = fromTypedArray(avg.slice(), p.shape);
      }
    });
  }
}

/**
 * Data-parallel training (PyTorch's DistributedDataParallel): every rank holds a replica, trains on
 * its own shard of each batch, and after backward every gradient is the average over all ranks, so
 * the replicas stay identical. Rank 0's parameters are copied to all ranks when it is made.
 * Gradients are summed in buckets, each started (on a communication thread) as soon as backward has
 * produced all of its gradients, so the sums overlap with the rest of backward.
 */
export class DistributedDataParallel<M extends Module = Module> extends Module {
  readonly group: ProcessGroup;
  readonly broadcastBuffers: boolean;
  private readonly buckets: Bucket[] = [];
  private nextToLaunch = 0;
  private passActive = false;
  private syncing = true;

  constructor(
    readonly module: M,
    options: DDPOptions = {},
  ) {
    super();
    if (!(module instanceof Module))
      throw new ValueError(`DistributedDataParallel: expected a Module, got ${show(module)}`);
    checkOptionNames('DistributedDataParallel', options, ['group', 'bucketCapMb', 'broadcastBuffers']);
    this.group = options.group ?? defaultGroup('DistributedDataParallel');
    this.broadcastBuffers = options.broadcastBuffers ?? true;
    const capMb = options.bucketCapMb ?? 25;
    if (!(capMb > 0)) throw new ValueError(`DistributedDataParallel: bucketCapMb must be positive, got ${show(capMb)}`);
    this.registerModule('module', module);
    noGrad(() => {
      for (const p of module.parameters()) this.group.broadcast(p, { src: 0 });
      for (const b of module.buffers()) if (b.dtype !== 'bool') this.group.broadcast(b, { src: 0 });
    });
    this.makeBuckets(capMb * 2 ** 20);
  }

  /** Parameters in reverse order of registration (roughly the order backward produces their gradients). */
  private makeBuckets(capBytes: number): void {
    const params = this.module.parameters().filter((p) => p.requiresGrad);
    let current: Parameter[] = [],
      bytes = 0;
    const close = () => {
      if (current.length === 0) return;
      const bucket = new Bucket(current);
      const index = this.buckets.length;
      this.buckets.push(bucket);
      for (const p of current) p.registerPostAccumulateGradHook(() => this.onGradReady(index));
      current = [];
      bytes = 0;
    };
    for (const p of params.reverse()) {
      const size = p.numel * (p.dtype === 'float64' ? 8 : 4);
      if (current.length > 0 && current[0]!.dtype !== p.dtype) close();
      current.push(p);
      bytes += size;
      // As PyTorch, the first bucket is small so that communication starts early.
      if (bytes >= (this.buckets.length === 0 ? Math.min(capBytes, 2 ** 20) : capBytes)) close();
    }
    close();
  }

  /** Number of gradient buckets (each one all-reduce per step). */
  get numBuckets(): number {
    return this.buckets.length;
  }

  private onGradReady(index: number): void {
    if (!this.syncing) return;
    if (!this.passActive) {
      this.passActive = true;
      queueCallback(() => this.finishPass());
    }
    this.buckets[index]!.ready++;
    // Buckets start strictly in order, so every rank issues the same collectives in the same order.
    while (this.nextToLaunch < this.buckets.length) {
      const b = this.buckets[this.nextToLaunch]!;
      if (b.ready < b.params.length) break;
      b.launch(this.group);
      this.nextToLaunch++;
    }
  }

  /** After backward: start the buckets still waiting (unused parameters count as zero), then average. */
  private finishPass(): void {
    for (; this.nextToLaunch < this.buckets.length; this.nextToLaunch++)
      this.buckets[this.nextToLaunch]!.launch(this.group);
    this.nextToLaunch = 0;
    this.passActive = false;
    for (const b of this.buckets) b.finish();
  }

  /**
   * Runs fn without averaging gradients (PyTorch's no_sync): gradients accumulate locally, and the
   * next backward outside noSync averages the accumulated sum. For gradient accumulation.
   */
  noSync<T>(fn: () => T): T {
    const before = this.syncing;
    this.syncing = false;
    try {
      return fn();
    } finally {
      this.syncing = before;
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(...args: any[]): any {
    if (this.broadcastBuffers && this.training && this.group.worldSize > 1)
      noGrad(() => {
        for (const b of this.module.buffers()) if (b.dtype !== 'bool') this.group.broadcast(b, { src: 0 });
      });
    return this.module.forward(...args);
  }
}
