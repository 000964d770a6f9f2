// roll: elements shifted along axes, wrapping around (PyTorch's torch.roll).
import { ValueError } from '../errors.js';
import { normalizeDim } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat } from './combine.js';

/** Shifts x by `shifts` along `dims` (both one number or lists of the same length); without dims, the flattened tensor. */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  const s = typeof shifts === 'number' ? [shifts] : [...shifts];
  if (dims === undefined) {
    if (s.length !== 1)
      throw new ValueError(`roll: without dims, shifts must be one number, got ${JSON.stringify(shifts)}`);
    return roll(x.flatten(), s[0]!, 0).reshape(x.shape);
  }
  const d = typeof dims === 'number' ? [dims] : [...dims];
  if (d.length !== s.length)
    throw new ValueError(`roll: ${s.length} shifts for ${d.length} dims (give one shift per dim)`);
  let out = x;
  d.forEach((dim, i) => {
    const k = normalizeDim('roll', dim, x.ndim);
    if (!Number.isInteger(s[i])) throw new ValueError(`roll: shifts must be integers, got ${s[i]}`);
    const n = x.shape[k]!;
    if (n === 0) return;
    const shift = ((s[i]! % n) + n) % n;
    if (shift === 0) return;
    out = cat([out.narrow(k, n - shift, shift), out.narrow(k, 0, n - shift)], k);
  });
  return out;
}
