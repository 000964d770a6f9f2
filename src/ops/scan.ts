// Running sums and products along an axis (PyTorch's cumsum, cumprod).
import { record } from '../autograd/record.js';
import { DTypeError } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { normalizeDim } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { flip } from './combine.js';
import { fromRows, rowsOf } from './rows.js';

function scan(op: 'cumsum' | 'cumprod', x: Tensor, dim: number): { out: Tensor; d: number } {
  if (x.dtype === 'bool') throw new DTypeError(`${op}: bool tensors have no ${op}; convert with .int() first`);
  const d = x.ndim === 0 ? 0 : normalizeDim(op, dim, x.ndim);
  const { data, n, rows, moved } = rowsOf(x, d);
  const out =
    x.dtype === 'float64'
      ? new Float64Array(data.length)
      : x.dtype === 'int32'
        ? new Int32Array(data.length)
        : new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    let acc = op === 'cumsum' ? 0 : 1;
    for (let i = r * n; i < (r + 1) * n; i++) {
      acc = op === 'cumsum' ? acc + data[i]! : acc * data[i]!;
      // Accumulate in the output's precision, as PyTorch does.
      out[i] = acc;
      acc = out[i]!;
    }
  }
  return { out: x.ndim === 0 ? fromRows(out, moved, 0, 1).reshape([]) : fromRows(out, moved, d, n), d };
}

/** Running sum along dim: out[i] = x[0] + … + x[i]. */
export function cumsum(x: Tensor, dim: number): Tensor {
  const { out, d } = scan('cumsum', x, dim);
  if (!isFloating(x.dtype)) return out;
  // The gradient of a running sum is the running sum of the gradient from the end.
  return record('cumsum', out, [x], (g) => [x.ndim === 0 ? g : flip(cumsum(flip(g, [d]), d), [d])]);
}

/** Running product along dim: out[i] = x[0] · … · x[i]. */
export function cumprod(x: Tensor, dim: number): Tensor {
  const { out, d } = scan('cumprod', x, dim);
  if (!isFloating(x.dtype)) return out;
  return record('cumprod', out, [x], (g) => [x.ndim === 0 ? g : cumprodGrad(x, out, g, d)]);
}

/**
 * ∂/∂x_i of Σ_j g_j·out_j = Σ_{j≥i} g_j · Π_{k≤j, k≠i} x_k. Without zeros in x that is the reversed
 * running sum of g·out divided by x (differentiable again); rows holding a zero are computed
 * directly, as products that skip x_i.
 */
function cumprodGrad(x: Tensor, out: Tensor, g: Tensor, d: number): Tensor {
  const hasZero = x.eq(0).int().sum().item() > 0;
  if (!hasZero) return flip(cumsum(flip(g.mul(out), [d]), d), [d]).div(x);
  const { data: xs, n, rows, moved } = rowsOf(x.detach(), d);
  const gs = rowsOf(g.detach(), d).data;
  const res = x.dtype === 'float64' ? new Float64Array(xs.length) : new Float32Array(xs.length);
  for (let r = 0; r < rows; r++) {
    const b = r * n;
    for (let i = 0; i < n; i++) {
      let prefix = 1; // Π_{k<i} x_k
      for (let k = 0; k < i; k++) prefix *= xs[b + k]!;
      let total = 0,
        run = prefix; // Π_{k≤j, k≠i} x_k for j = i, i+1, …
      for (let j = i; j < n; j++) {
        if (j > i) run *= xs[b + j]!;
        total += gs[b + j]! * run;
      }
      res[b + i] = total;
    }
  }
  return fromRows(res, moved, d, n);
}
