import { checkInteger, checkOptionNames, show } from '../check.js';
import { ValueError } from '../errors.js';
import { randperm } from '../tensor/create.js';
import { Generator } from '../tensor/random.js';
import { getRank, getWorldSize } from './state.js';

export interface DistributedSamplerOptions {
  /** Default: the default group's size and this process's rank. */
  numReplicas?: number;
  rank?: number;
  /** Reshuffle every epoch (setEpoch) from `seed`, the same order on every rank. Default true. */
  shuffle?: boolean;
  seed?: number;
  /** Drop the tail so every rank gets the same count; otherwise the first indices are repeated. */
  dropLast?: boolean;
}

/**
 * The indices of a data set that one rank trains on (PyTorch's DistributedSampler): every rank
 * shuffles with the same seed and epoch, pads (or drops) to a multiple of the world size, and takes
 * every numReplicas-th index from its rank on. Call setEpoch(e) before each epoch.
 */
export class DistributedSampler implements Iterable<number> {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Indices per rank per epoch. */
  readonly numSamples: number;
  private epoch = 0;

  constructor(
    readonly dataset: { length: number },
    options: DistributedSamplerOptions = {},
  ) {
    checkOptionNames('DistributedSampler', options, ['numReplicas', 'rank', 'shuffle', 'seed', 'dropLast']);
    if (dataset === null || typeof dataset !== 'object' || !Number.isInteger(dataset.length))
      throw new ValueError(`DistributedSampler: expected a map-style dataset with a length, got ${show(dataset)}`);
    this.numReplicas = checkInteger('DistributedSampler', 'numReplicas', options.numReplicas ?? getWorldSize(), 1);
    this.rank = checkInteger('DistributedSampler', 'rank', options.rank ?? getRank(), 0);
    if (this.rank >= this.numReplicas)
      throw new ValueError(`DistributedSampler: rank ${this.rank} is not in [0, ${this.numReplicas})`);
    this.shuffle = options.shuffle ?? true;
    this.seed = checkInteger('DistributedSampler', 'seed', options.seed ?? 0, 0);
    this.dropLast = options.dropLast ?? false;
    const n = dataset.length;
    this.numSamples = this.dropLast ? Math.floor(n / this.numReplicas) : Math.ceil(n / this.numReplicas);
    if (this.numSamples === 0)
      throw new ValueError(
        `DistributedSampler: a data set of ${n} items leaves rank ${this.rank} of ${this.numReplicas} nothing`,
      );
  }

  /** Sets the epoch the next pass shuffles for (the same on every rank). */
  setEpoch(epoch: number): void {
    this.epoch = checkInteger('DistributedSampler.setEpoch', 'epoch', epoch, 0);
  }

  get length(): number {
    return this.numSamples;
  }

  indices(): number[] {
    const n = this.dataset.length;
    const order = this.shuffle
      ? (randperm(n, { generator: new Generator(this.seed + this.epoch) }).toArray() as number[])
      : Array.from({ length: n }, (_, i) => i);
    const total = this.numSamples * this.numReplicas;
    // Pad by repeating from the start (as PyTorch) so every rank runs the same number of steps.
    for (let i = 0; order.length < total; i++) order.push(order[i % n]!);
    order.length = total;
    const mine: number[] = [];
    for (let i = this.rank; i < total; i += this.numReplicas) mine.push(order[i]!);
    return mine;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }
}
