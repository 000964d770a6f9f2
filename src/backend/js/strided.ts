import type { Shape } from '../../tensor/shape.js';

/**
 * Walks a shape over several operands at once and hands each innermost row to `row` as the start
 * offsets of every operand, the row length and the per-operand inner strides. Dims that are
 * contiguous with their neighbour in every operand are merged first, so a contiguous tensor is a
 * single row whatever its rank.
 */
export function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  row: (offs: number[], n: number, inner: number[]) => void,
): void {
  const k = strides.length;
  // Merge dims and drop size-1 dims.
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 0) return;
    if (size === 1) continue;
    const last = dims.length - 1;
    let mergeable = last >= 0;
    for (let j = 0; j < k && mergeable; j++) mergeable = st[j]![last] === strides[j]![d]! * size;
    if (mergeable) {
      dims[last]! *= size;
      for (let j = 0; j < k; j++) st[j]![last] = strides[j]![d]!;
    } else {
      dims.push(size);
      for (let j = 0; j < k; j++) st[j]!.push(strides[j]![d]!);
    }
  }
  const rank = dims.length;
  const offs = [...offsets];
  if (rank === 0) {
    row(offs, 1, new Array<number>(k).fill(0));
    return;
  }
  const n = dims[rank - 1]!;
  const inner = st.map((s) => s[rank - 1]!);
  if (rank === 1) {
    row(offs, n, inner);
    return;
  }
  const counter = new Array<number>(rank - 1).fill(0);
  const base = [...offsets];
  for (;;) {
    for (let j = 0; j < k; j++) offs[j] = base[j]!;
    row(offs, n, inner);
    // Odometer over the outer dims.
    let d = rank - 2;
    for (; d >= 0; d--) {
      counter[d]!++;
      for (let j = 0; j < k; j++) base[j]! += st[j]![d]!;
      if (counter[d]! < dims[d]!) break;
      for (let j = 0; j < k; j++) base[j]! -= st[j]![d]! * dims[d]!;
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

/**
 * The (a, b, out) element offsets of each matrix of a batched matmul, in out's batch order: the
 * leading dims of out (a and b have them too, broadcast ones with stride 0). Native and WebGPU share it.
 */
export function matmulOffsets(
  a: { strides: readonly number[]; offset: number },
  b: { strides: readonly number[]; offset: number },
  out: { shape: readonly number[]; strides: readonly number[]; offset: number },
): Float64Array {
  const r = out.shape.length;
  const batch = out.shape.slice(0, r - 2);
  const offsets = new Float64Array(3 * batch.reduce((p, s) => p * s, 1));
  let i = 0;
  forEachRow(
    batch,
    [a.strides.slice(0, r - 2), b.strides.slice(0, r - 2), out.strides.slice(0, r - 2)],
    [a.offset, b.offset, out.offset],
    (o, n, s) => {
      for (let t = 0; t < n; t++) {
        offsets[i++] = o[0]! + t * s[0]!;
        offsets[i++] = o[1]! + t * s[1]!;
        offsets[i++] = o[2]! + t * s[2]!;
      }
    },
  );
  return offsets;
}
