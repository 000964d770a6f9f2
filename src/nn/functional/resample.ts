// Rearranging pixels between channels and space (PyTorch's pixel_shuffle / pixel_unshuffle), the
// upsampling step of sub-pixel convolution.
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';

function factor(op: string, r: number): number {
  if (!Number.isInteger(r) || r < 1) throw new ValueError(`${op}: the factor must be a positive integer, got ${r}`);
  return r;
}

/** [N, C·r², H, W] → [N, C, H·r, W·r]. */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  const r = factor('pixelShuffle', upscaleFactor);
  if (x.ndim < 3 || x.shape[x.ndim - 3]! % (r * r) !== 0)
    throw new ShapeError(`pixelShuffle: expected [..., C·${r * r}, H, W], got ${fmtShape(x.shape)}`);
  const lead = x.shape.slice(0, -3);
  const [C, H, W] = x.shape.slice(-3) as [number, number, number];
  const c = C / (r * r),
    k = lead.length;
  return x
    .reshape([...lead, c, r, r, H, W])
    .permute([...lead.map((_, i) => i), k, k + 3, k + 1, k + 4, k + 2])
    .reshape([...lead, c, H * r, W * r]);
}

/** [N, C, H·r, W·r] → [N, C·r², H, W], the inverse of pixelShuffle. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  const r = factor('pixelUnshuffle', downscaleFactor);
  if (x.ndim < 3 || x.shape[x.ndim - 2]! % r !== 0 || x.shape[x.ndim - 1]! % r !== 0)
    throw new ShapeError(`pixelUnshuffle: expected [..., C, H·${r}, W·${r}], got ${fmtShape(x.shape)}`);
  const lead = x.shape.slice(0, -3);
  const [C, H, W] = x.shape.slice(-3) as [number, number, number];
  const k = lead.length;
  return x
    .reshape([...lead, C, H / r, r, W / r, r])
    .permute([...lead.map((_, i) => i), k, k + 2, k + 4, k + 1, k + 3])
    .reshape([...lead, C * r * r, H / r, W / r]);
}

/** PReLU: x where x ≥ 0, weight·x elsewhere; weight has 1 value or one per channel (dim 1). */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  const n = weight.numel;
  if (weight.ndim > 1 || (n !== 1 && (x.ndim < 2 || x.shape[1] !== n)))
    throw new ShapeError(
      `prelu: weight ${fmtShape(weight.shape)} must hold 1 value or one per channel of ${fmtShape(x.shape)}`,
    );
  const w = n === 1 || x.ndim < 2 ? weight.reshape([]) : weight.reshape([n, ...new Array<number>(x.ndim - 2).fill(1)]);
  return x.relu().sub(x.neg().relu().mul(w));
}
