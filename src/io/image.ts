import { platform } from '../platform/platform.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from './files.js';

export interface ImageGridOptions {
  /** Images per row (default: ⌈√N⌉). */
  nrow?: number;
  /** Pixels between images (default 2). */
  padding?: number;
  /** The value range mapped to 0–255 (default [0, 1]); values outside are clipped. */
  range?: [number, number];
  /** Magnify every pixel this many times (default 1), for small images such as 8×8 digits. */
  scale?: number;
}

/**
 * Writes a batch of images [N, C, H, W] (C = 1 grey or 3 RGB) as one PNG grid, like
 * torchvision's save_image: a quick look at generated samples or augmented inputs.
 */
export function saveImageGrid(path: string, images: Tensor, o: ImageGridOptions = {}): void {
  writeFileAtomic(path, encodeImageGrid(images, o), 'saveImageGrid');
}

/** The PNG bytes of saveImageGrid. */
export function encodeImageGrid(images: Tensor, o: ImageGridOptions = {}): Uint8Array {
  if (images.ndim !== 4 || (images.shape[1] !== 1 && images.shape[1] !== 3))
    throw new ShapeError(`saveImageGrid: expected images [N, 1 or 3, H, W], got ${fmtShape(images.shape)}`);
  const [N, C, H, W] = images.shape as [number, number, number, number];
  if (N === 0) throw new ValueError('saveImageGrid: no images');
  const nrow = o.nrow ?? Math.ceil(Math.sqrt(N)),
    pad = o.padding ?? 2,
    scale = o.scale ?? 1;
  const [lo, hi] = o.range ?? [0, 1];
  if (!(hi > lo)) throw new ValueError(`saveImageGrid: range must be increasing, got [${lo}, ${hi}]`);
  if (![nrow, scale].every((v) => Number.isInteger(v) && v >= 1) || !Number.isInteger(pad) || pad < 0)
    throw new ValueError(
      `saveImageGrid: nrow and scale must be positive integers and padding ≥ 0, got ${nrow}, ${scale}, ${pad}`,
    );
  const rows = Math.ceil(N / nrow);
  const cw = W * scale,
    ch = H * scale;
  const png = { width: nrow * cw + (nrow + 1) * pad, height: rows * ch + (rows + 1) * pad, data: new Uint8Array(0) };
  png.data = new Uint8Array(png.width * png.height * 4);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  const px = images.float().contiguous().toTypedArray() as Float32Array;
  const bad = px.findIndex((v) => Number.isNaN(v));
  if (bad >= 0) throw new ValueError(`saveImageGrid: image ${Math.floor(bad / (C * H * W))} holds NaN`);
  for (let n = 0; n < N; n++) {
    const ox = pad + (n % nrow) * (cw + pad),
      oy = pad + Math.floor(n / nrow) * (ch + pad);
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        const at = ((oy + y) * png.width + ox + x) * 4;
        for (let k = 0; k < 3; k++) {
          const v = px[((n * C + (C === 1 ? 0 : k)) * H + Math.floor(y / scale)) * W + Math.floor(x / scale)]!;
          png.data[at + k] = Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo))));
        }
      }
    }
  }
  return platform().encodePng(png.width, png.height, png.data);
}
