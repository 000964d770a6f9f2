import { DTypeError, IndexError } from '../../errors.js';
import { where } from '../../ops/binary.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * Rows of `weight` picked by int32 indices: output shape [...indices.shape, dim]. Rows at
 * `paddingIdx` are returned as they are but receive no gradient, as in PyTorch.
 */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx: number | null = null): Tensor {
  if (indices.dtype !== 'int32')
    throw new DTypeError(`embedding: indices must be an int32 tensor, got dtype ${indices.dtype}`);
  const flat = indices.reshape(-1);
  const rows = weight.shape[0]!;
  let bad: number | null = null;
  const values = flat.storage.peekHost(); // null in device memory: not checked there
  if (values)
    flat.forEachOffset((o) => {
      const v = values[o]!;
      if (bad === null && (v < 0 || v >= rows)) bad = v;
    });
  if (bad !== null) throw new IndexError(`embedding: index ${bad} is out of range for an embedding of ${rows} rows`);
  let out = weight.indexSelect(0, flat);
  if (paddingIdx !== null) {
    const isPad = flat.eq(paddingIdx).unsqueeze(1);
    out = where(isPad, weight.detach().indexSelect(0, flat), out);
  }
  return out.reshape([...indices.shape, weight.shape[1]!]);
}
