import { record } from '../autograd/record.js';
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { normalizeDim } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { where } from './binary.js';
import { asTensor } from './cast.js';
import { type TensorLike, backend, empty, hostEmpty } from './util.js';
import { expand, reshape } from './views.js';

function requireIndex(op: string, index: Tensor): void {
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: index must be an int32 tensor, got dtype ${index.dtype}`);
}

/** Every index value must lie in [0, size). Checked before any kernel writes. */
function checkRange(op: string, index: Tensor, size: number, dim: number): void {
  let bad: number | null = null;
  const d = index.storage.peekHost();
  if (d === null) return; // device memory: the kernel reads out-of-range indices as 0 (see README, WebGPU)
  if (index.isContiguous()) {
    const end = index.offset + index.numel;
    for (let i = index.offset; i < end; i++) {
      const v = d[i]!;
      if (v < 0 || v >= size) {
        bad = v;
        break;
      }
    }
  } else {
    index.forEachOffset((o) => {
      const v = d[o]!;
      if (bad === null && (v < 0 || v >= size)) bad = v;
    });
  }
  if (bad !== null) throw new IndexError(`${op}: index ${bad} is out of bounds for dim ${dim} with size ${size}`);
}

/** index must have x's rank and fit inside `bound` on every dim other than `dim`. */
function checkIndexShape(op: string, index: Tensor, x: Tensor, d: number, what: string): void {
  if (index.ndim !== x.ndim)
    throw new ShapeError(
      `${op}: index of shape ${fmtShape(index.shape)} must have the same rank as ${what} ${fmtShape(x.shape)}`,
    );
  index.shape.forEach((s, k) => {
    if (k !== d && s > x.shape[k]!)
      throw new ShapeError(
        `${op}: index of shape ${fmtShape(index.shape)} is larger than ${what} ${fmtShape(x.shape)} at dim ${k}`,
      );
  });
}

/** out[i][j] = x[i][index[i][j]] for dim = 1 (PyTorch's gather). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  requireIndex('gather', index);
  const d = normalizeDim('gather', dim, x.ndim);
  checkIndexShape('gather', index, x, d, 'input');
  checkRange('gather', index, x.shape[d]!, d);
  const out = empty(index.shape, x.dtype);
  backend().gather(x, d, index, out);
  return record('gather', out, [x], (g) => [scatterAdd(empty(x.shape, g.dtype), d, index, g)], []);
}

function scatterInto(op: 'scatter' | 'scatterAdd', x: Tensor, d: number, index: Tensor, src: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  backend().copy(x, out);
  backend().scatter(op === 'scatter' ? 'assign' : 'add', out, d, index, src);
  return out;
}

function prepareScatter(op: string, x: Tensor, dim: number, index: Tensor, src: TensorLike): [number, Tensor] {
  requireIndex(op, index);
  const d = normalizeDim(op, dim, x.ndim);
  checkIndexShape(op, index, x, d, 'input');
  const s = src instanceof Tensor ? asTensor(src, x.dtype) : expand(asTensor(src, x.dtype), index.shape);
  if (s.ndim !== index.ndim || index.shape.some((n, k) => n > s.shape[k]!)) {
    throw new ShapeError(`${op}: index of shape ${fmtShape(index.shape)} is larger than src ${fmtShape(s.shape)}`);
  }
  checkRange(op, index, x.shape[d]!, d);
  return [d, s];
}

/** A copy of x with src's values written at the indexed places along dim (PyTorch's scatter). */
export function scatter(x: Tensor, dim: number, index: Tensor, src: TensorLike): Tensor {
  const [d, s] = prepareScatter('scatter', x, dim, index, src);
  const out = scatterInto('scatter', x, d, index, s);
  return record('scatter', out, [x, s], (g, needs) => [
    needs[0] ? scatter(g, d, index, 0) : null,
    needs[1] ? gatherPadded(g, d, index, s.shape) : null,
  ]);
}

/** A copy of x with src's values added at the indexed places along dim; repeats accumulate. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: TensorLike): Tensor {
  const [d, s] = prepareScatter('scatterAdd', x, dim, index, src);
  const out = scatterInto('scatterAdd', x, d, index, s);
  return record('scatterAdd', out, [x, s], (g, needs) => [
    needs[0] ? g : null,
    needs[1] ? gatherPadded(g, d, index, s.shape) : null,
  ]);
}

/** gather(g, index), placed into zeros of src's shape (src may be larger than index). */
function gatherPadded(g: Tensor, d: number, index: Tensor, srcShape: readonly number[]): Tensor {
  const picked = gather(g, d, index);
  // pad() takes (before, after) pairs starting from the last dim.
  const pads: number[] = [];
  for (let k = srcShape.length - 1; k >= 0; k--) pads.push(0, srcShape[k]! - index.shape[k]!);
  return pads.some((p) => p !== 0) ? picked.pad(pads) : picked;
}

/** The entries of x at the given positions (1-D int32 index) along dim. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  requireIndex('indexSelect', index);
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 0-D or 1-D, got shape ${fmtShape(index.shape)}`);
  const d = normalizeDim('indexSelect', dim, x.ndim);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  checkRange('indexSelect', index, size, d);
  if (x.ndim === 0) return reshape(x, index.ndim === 0 ? [] : [index.numel]).clone();
  // A gather whose index is the 1-D index broadcast (stride 0) across every other dim.
  const outShape = x.shape.map((s, k) => (k === d ? index.numel : s));
  const bcast = expand(
    reshape(
      index,
      x.shape.map((_, k) => (k === d ? index.numel : 1)),
    ),
    outShape,
  );
  return gather(x, d, bcast);
}

/** x with `value` where mask is true; mask must be bool and broadcast to x's shape. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== 'bool')
    throw new DTypeError(`maskedFill: the mask must be a bool tensor, got dtype ${mask.dtype}`);
  const out = where(mask, asTensor(value, x.dtype), x);
  if (out.ndim !== x.ndim || out.shape.some((s, i) => s !== x.shape[i])) {
    throw new ShapeError(
      `maskedFill: mask of shape ${fmtShape(mask.shape)} does not broadcast to the input's shape ${fmtShape(x.shape)}`,
    );
  }
  return out;
}

/** One-hot encoding of int32 class indices: shape [...index.shape, numClasses], dtype int32. */
export function oneHot(index: Tensor, numClasses = -1): Tensor {
  requireIndex('oneHot', index);
  let n = numClasses;
  if (n === -1) {
    let max = -1;
    index.forEachOffset((o) => {
      max = Math.max(max, index.data[o]!);
    });
    n = max + 1;
  }
  if (!Number.isInteger(n) || n < 0)
    throw new ValueError(`oneHot: numClasses must be a non-negative integer or -1, got ${numClasses}`);
  checkRange('oneHot', index, n, -1);
  const out = hostEmpty([...index.shape, n], 'int32');
  let i = 0;
  index.forEachOffset((o) => {
    out.data[i * n + index.data[o]!] = 1;
    i++;
  });
  return out;
}

/** Lower triangle of the last two dims (elements with column - row ≤ diagonal); the rest zero. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('tril', x, diagonal);
}

/** Upper triangle of the last two dims (column - row ≥ diagonal). */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('triu', x, diagonal);
}

function triangle(op: 'tril' | 'triu', x: Tensor, diagonal: number): Tensor {
  if (x.ndim < 2) throw new ShapeError(`${op}: input must have at least 2 dims, got shape ${fmtShape(x.shape)}`);
  const rows = x.shape[x.ndim - 2]!,
    cols = x.shape[x.ndim - 1]!;
  const keep = hostEmpty([rows, cols], 'bool');
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      keep.data[r * cols + c] = (op === 'tril' ? c - r <= diagonal : c - r >= diagonal) ? 1 : 0;
    }
  }
  return where(keep, x, asTensor(0, x.dtype));
}
