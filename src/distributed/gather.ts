import { cat } from '../ops/combine.js';
import { fromTypedArray, zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ProcessGroup } from './process-group.js';

/**
 * Every rank's rows of `t` concatenated in rank order, when ranks hold different numbers of rows
 * (the last validation shard is often shorter): sizes are gathered first and rows padded to the
 * largest, as the Gloo allgather needs equal sizes.
 */
export function gatherRows(group: ProcessGroup, t: Tensor): Tensor {
  if (group.worldSize === 1) return t;
  const rows = group.allGather(fromTypedArray(new Int32Array([t.shape[0] ?? 1]))).map((s) => s.item());
  const most = Math.max(...rows);
  const flat = t.ndim === 0 ? t.reshape(1) : t;
  const padded =
    flat.shape[0] === most
      ? flat
      : cat([flat, zeros([most - flat.shape[0]!, ...flat.shape.slice(1)], { dtype: flat.dtype })], 0);
  const parts = group.allGather(padded.contiguous());
  return cat(
    parts.map((p, r) => p.narrow(0, 0, rows[r]!)),
    0,
  );
}
