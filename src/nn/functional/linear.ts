import { ShapeError, fmtShape } from '../../errors.js';
import { addmm } from '../../ops/matmul.js';
import type { Tensor } from '../../tensor/tensor.js';

/** y = x Wᵀ + b over the last dim of x, weight [out, in] as in PyTorch. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const inF = weight.shape[1]!;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(
      `linear: expected input with last dim ${inF} (weight ${fmtShape(weight.shape)}), got input ${fmtShape(x.shape)}`,
    );
  }
  // Fold leading dims into one matrix so the weight gradient is a single matmul.
  const flat = x.ndim > 2 ? x.reshape(-1, inF) : x;
  let y: Tensor;
  if (bias && flat.ndim === 2 && bias.ndim === 1 && weight.ndim === 2) y = addmm(bias, flat, weight.t());
  else {
    y = flat.matmul(weight.t());
    if (bias) y = y.add(bias);
  }
  return x.ndim > 2 ? y.reshape([...x.shape.slice(0, -1), weight.shape[0]!]) : y;
}

/** y = x1ᵀ A x2 + b for each output feature: weight [out, in1, in2]. */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const [out, in1, in2] = weight.shape as [number, number, number];
  if (x1.shape[x1.ndim - 1] !== in1 || x2.shape[x2.ndim - 1] !== in2 || x1.ndim !== x2.ndim) {
    throw new ShapeError(
      `bilinear: expected inputs [..., ${in1}] and [..., ${in2}] (weight ${fmtShape(weight.shape)}), got ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}`,
    );
  }
  const lead = x1.shape.slice(0, -1);
  const a = x1.reshape(-1, 1, 1, in1); // [B, 1, 1, in1]
  const b = x2.reshape(-1, 1, in2, 1); // [B, 1, in2, 1]
  let y = a
    .matmul(weight.unsqueeze(0))
    .matmul(b)
    .reshape([...lead, out]); // [B, out, 1, in2] @ [B, 1, in2, 1]
  if (bias) y = y.add(bias);
  return y;
}
