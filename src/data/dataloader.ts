import { isIterable, optionsArg, show } from '../check.js';
import { ValueError } from '../errors.js';
import { stack } from '../ops/combine.js';
import { tensor } from '../tensor/create.js';
import { type Generator as RandomGenerator, defaultGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { Dataset } from './dataset.js';

export interface DataLoaderOptions<T, B> {
  batchSize?: number;
  /** Reshuffle the order at the start of every pass (seeded by `generator`). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
  /** Turns a list of items into a batch; the default stacks tensors and numbers field by field. */
  collate?: (items: T[]) => B;
  generator?: RandomGenerator;
  /**
   * The indices to load, in order (PyTorch's sampler): a DistributedSampler gives each rank its
   * shard. Not with shuffle (the sampler shuffles). fit() calls its setEpoch(epoch) if it has one.
   */
  sampler?: Iterable<number> & { length?: number; setEpoch?(epoch: number): void };
  /** Applied to every batch as it is made (per-batch augmentation): `([x, y]) => [augment(x), y]`. */
  transform?: (batch: B) => B;
}

/**
 * Batches a dataset: `for (const [xb, yb] of loader)`. Map-style datasets with getBatch (such as
 * TensorDataset) are batched with one indexSelect per tensor; other datasets go item by item
 * through `collate`. Iterables (streams, generators) are batched in order.
 */
export class DataLoader<T = Tensor[], B = T> implements Iterable<B> {
  readonly batchSize: number;

  constructor(readonly dataset: Dataset<T> | Iterable<T>, readonly options: DataLoaderOptions<T, B> = {}) {
    optionsArg('DataLoader', options);
    if (!isMapStyle(dataset) && !isIterable(dataset)) {
      throw new ValueError(`DataLoader: expected a dataset (length and get) or an iterable, got ${show(dataset)}`);
    }
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new ValueError(`DataLoader: batchSize must be a positive integer, got ${options.batchSize}`);
    if (options.shuffle && !isMapStyle(dataset)) throw new ValueError('DataLoader: shuffle needs a map-style dataset (with length and get)');
    if (options.sampler !== undefined) {
      if (!isIterable(options.sampler)) throw new ValueError(`DataLoader: sampler must be an iterable of indices, got ${show(options.sampler)}`);
      if (options.shuffle) throw new ValueError('DataLoader: give either shuffle or a sampler (the sampler decides the order)');
      if (!isMapStyle(dataset)) throw new ValueError('DataLoader: a sampler needs a map-style dataset (with length and get)');
    }
  }

  /** Number of batches in one pass (map-style datasets only). */
  get length(): number {
    if (!isMapStyle(this.dataset)) throw new ValueError('DataLoader: an iterable dataset has no length');
    const sampled = this.options.sampler?.length;
    const n = typeof sampled === 'number' ? sampled : this.dataset.length;
    return this.options.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<B> {
    const transform = this.options.transform;
    if (!transform) return yield* this.batches();
    for (const b of this.batches()) yield transform(b);
  }

  private sampled(length: number): number[] {
    const order = [...this.options.sampler!];
    for (const i of order)
      if (!Number.isInteger(i) || i < 0 || i >= length)
        throw new ValueError(`DataLoader: the sampler gave index ${show(i)}, outside a dataset of ${length} items`);
    return order;
  }

  private *batches(): Generator<B> {
    const collate = this.options.collate ?? (defaultCollate as unknown as (items: T[]) => B);
    const ds = this.dataset;
    if (!isMapStyle(ds)) {
      let items: T[] = [];
      for (const item of ds) {
        items.push(item);
        if (items.length === this.batchSize) { yield collate(items); items = []; }
      }
      if (items.length > 0 && !this.options.dropLast) yield collate(items);
      return;
    }
    const order = this.options.sampler ? this.sampled(ds.length) : Array.from({ length: ds.length }, (_, i) => i);
    const n = order.length;
    if (this.options.shuffle) {
      const g = this.options.generator ?? defaultGenerator;
      for (let i = n - 1; i > 0; i--) {
        const j = g.integer(0, i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    const batched = (ds as { getBatch?: (i: number[]) => unknown }).getBatch;
    for (let s = 0; s < n; s += this.batchSize) {
      const idx = order.slice(s, s + this.batchSize);
      if (idx.length < this.batchSize && this.options.dropLast) return;
      if (batched && !this.options.collate) yield batched.call(ds, idx) as B;
      else yield collate(idx.map((i) => ds.get(i)));
    }
  }
}

function isMapStyle<T>(d: Dataset<T> | Iterable<T>): d is Dataset<T> {
  return d !== null && typeof d === 'object' && typeof (d as Dataset<T>).get === 'function' && typeof (d as Dataset<T>).length === 'number';
}

/**
 * Stacks a list of items into a batch: tensors are stacked, numbers become a tensor (int32 when
 * all are integers), arrays and objects are collated field by field.
 */
export function defaultCollate(items: unknown[]): unknown {
  const first = items[0];
  if (first instanceof Tensor) return stack(items as Tensor[], 0);
  if (typeof first === 'number') {
    const nums = items as number[];
    return tensor(nums, { dtype: nums.every(Number.isInteger) ? 'int32' : 'float32' });
  }
  if (Array.isArray(first)) return first.map((_, k) => defaultCollate(items.map((it) => (it as unknown[])[k])));
  if (first !== null && typeof first === 'object') {
    return Object.fromEntries(Object.keys(first).map((k) => [k, defaultCollate(items.map((it) => (it as Record<string, unknown>)[k]))]));
  }
  return items;
}
