import { show, tensorArg } from '../check.js';
import { IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';

/** A map-style dataset: a length and random access, as PyTorch's Dataset. */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T;
}

/** Rows of tensors that share their first dim: item i is [t0[i], t1[i], ...]. */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ValueError('TensorDataset: expected at least one tensor');
    tensors.forEach((t, i) => tensorArg('TensorDataset', `tensor ${i}`, t));
    const n = tensors[0]!.shape[0];
    tensors.forEach((t, i) => {
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new ShapeError(`TensorDataset: tensor ${i} has shape ${fmtShape(t.shape)}; every tensor needs the same first dim (${n})`);
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  get(index: number): Tensor[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new IndexError(`TensorDataset: index ${index} is out of range for ${this.length} items`);
    return this.tensors.map((t) => t.select(0, index));
  }

  /** Several rows at once (one indexSelect per tensor): what DataLoader uses for batches. */
  getBatch(indices: readonly number[]): Tensor[] {
    const idx = fromTypedArray(Int32Array.from(indices));
    return this.tensors.map((t) => t.indexSelect(0, idx));
  }
}

/** A view of some items of another dataset. */
export class Subset<T> implements Dataset<T> {
  constructor(readonly dataset: Dataset<T>, readonly indices: readonly number[]) {
    if (dataset === null || typeof dataset !== 'object' || typeof dataset.length !== 'number' || typeof dataset.get !== 'function') {
      throw new ValueError(`Subset: expected a dataset with length and get(i), got ${show(dataset)}`);
    }
    if (!Array.isArray(indices) && !ArrayBuffer.isView(indices)) throw new ValueError(`Subset: indices must be an array of integers, got ${show(indices)}`);
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= dataset.length) throw new IndexError(`Subset: index ${i} is out of range for ${dataset.length} items`);
    }
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    const i = this.indices[index];
    if (i === undefined) throw new IndexError(`Subset: index ${index} is out of range for ${this.length} items`);
    return this.dataset.get(i);
  }

  getBatch(indices: readonly number[]): T extends Tensor[] ? Tensor[] : never {
    const inner = this.dataset as unknown as { getBatch?: (i: readonly number[]) => Tensor[] };
    if (!inner.getBatch) throw new ValueError('Subset.getBatch: the wrapped dataset has no getBatch');
    return inner.getBatch(indices.map((i) => this.indices[i]!)) as T extends Tensor[] ? Tensor[] : never;
  }
}
