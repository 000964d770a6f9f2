import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { fromTypedArray } from '../tensor/create.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

// Image augmentation on whole batches [N, C, H, W] (float32 or float64), a new random draw per
// image from a seedable generator. Data preparation, not part of the graph: the results carry no
// gradient. Use them in a training loader: `transform: ([x, y]) => [augment(x), y]`.

export type Augmentation = (images: Tensor) => Tensor;

interface Images {
  n: number; c: number; h: number; w: number;
  src: Float32Array | Float64Array;
  make(data: Float32Array | Float64Array, h?: number, w?: number): Tensor;
}

function images(op: string, x: Tensor): Images {
  if (x.ndim !== 4) throw new ShapeError(`${op}: expected images of shape [N, C, H, W], got ${fmtShape(x.shape)}`);
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new ValueError(`${op}: expected float images, got ${x.dtype}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const src = x.contiguous().toTypedArray() as Float32Array | Float64Array;
  return { n, c, h, w, src, make: (data, hh = h, ww = w) => fromTypedArray(data, [n, c, hh, ww]) };
}

function alloc(like: Float32Array | Float64Array, size: number): Float32Array | Float64Array {
  return like instanceof Float32Array ? new Float32Array(size) : new Float64Array(size);
}

/** Pads every side by `padding` (with `fill`), then crops a random `size` window from each image. */
export function randomCrop(size: number | [number, number], o: { padding?: number; fill?: number; generator?: Generator } = {}): Augmentation {
  const [oh, ow] = typeof size === 'number' ? [size, size] : size;
  const pad = o.padding ?? 0, fill = o.fill ?? 0, g = o.generator;
  if (![oh, ow, pad].every((v) => Number.isInteger(v) && v >= 0) || oh === 0 || ow === 0) throw new ValueError(`randomCrop: size must be positive and padding non-negative integers, got size ${size}, padding ${pad}`);
  return (x) => {
    const im = images('randomCrop', x), gen = g ?? defaultGenerator;
    const ph = im.h + 2 * pad, pw = im.w + 2 * pad;
    if (oh > ph || ow > pw) throw new ShapeError(`randomCrop: a ${oh}×${ow} crop does not fit images of ${im.h}×${im.w} padded by ${pad}`);
    const out = alloc(im.src, im.n * im.c * oh * ow);
    for (let b = 0; b < im.n; b++) {
      const top = gen.integer(0, ph - oh + 1) - pad, left = gen.integer(0, pw - ow + 1) - pad;
      for (let ch = 0; ch < im.c; ch++) {
        const so = (b * im.c + ch) * im.h * im.w, oo = (b * im.c + ch) * oh * ow;
        for (let i = 0; i < oh; i++) {
          const y = top + i;
          for (let j = 0; j < ow; j++) {
            const xx = left + j;
            out[oo + i * ow + j] = y >= 0 && y < im.h && xx >= 0 && xx < im.w ? im.src[so + y * im.w + xx]! : fill;
          }
        }
      }
    }
    return im.make(out, oh, ow);
  };
}

/** Mirrors each image left–right with probability p. */
export function randomHorizontalFlip(o: { p?: number; generator?: Generator } = {}): Augmentation {
  const p = o.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new ValueError(`randomHorizontalFlip: p must be in [0, 1], got ${p}`);
  return (x) => {
    const im = images('randomHorizontalFlip', x), gen = o.generator ?? defaultGenerator;
    const out = im.src.slice();
    const plane = im.h * im.w;
    for (let b = 0; b < im.n; b++) {
      if (gen.random() >= p) continue;
      for (let ch = 0; ch < im.c; ch++) {
        const base = (b * im.c + ch) * plane;
        for (let i = 0; i < im.h; i++) for (let j = 0; j < im.w; j++) out[base + i * im.w + j] = im.src[base + i * im.w + (im.w - 1 - j)]!;
      }
    }
    return im.make(out);
  };
}

/**
 * A random rotation in [-degrees, degrees] about the centre and a translation of up to
 * translate[0]·W and translate[1]·H pixels, per image, with bilinear interpolation; pixels from
 * outside the image take `fill`.
 */
export function randomAffine(o: { degrees?: number; translate?: [number, number]; fill?: number; generator?: Generator }): Augmentation {
  const deg = o.degrees ?? 0, [tx, ty] = o.translate ?? [0, 0], fill = o.fill ?? 0;
  if (!(deg >= 0 && deg <= 180)) throw new ValueError(`randomAffine: degrees must be in [0, 180], got ${deg}`);
  if (!(tx >= 0 && tx <= 1 && ty >= 0 && ty <= 1)) throw new ValueError(`randomAffine: translate fractions must be in [0, 1], got [${tx}, ${ty}]`);
  return (x) => {
    const im = images('randomAffine', x), gen = o.generator ?? defaultGenerator;
    const { h, w } = im, plane = h * w;
    const out = alloc(im.src, im.src.length);
    const cy = (h - 1) / 2, cx = (w - 1) / 2;
    for (let b = 0; b < im.n; b++) {
      const a = ((gen.random() * 2 - 1) * deg * Math.PI) / 180;
      const dx = (gen.random() * 2 - 1) * tx * w, dy = (gen.random() * 2 - 1) * ty * h;
      const cos = Math.cos(a), sin = Math.sin(a);
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          // Inverse map: where in the source does output pixel (i, j) come from?
          const u = j - cx - dx, v = i - cy - dy;
          const sx = cos * u + sin * v + cx, sy = -sin * u + cos * v + cy;
          const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
          for (let ch = 0; ch < im.c; ch++) {
            const base = (b * im.c + ch) * plane;
            const at = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? im.src[base + yy * w + xx]! : fill);
            out[base + i * w + j] = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
          }
        }
      }
    }
    return im.make(out);
  };
}

/** Adds Gaussian noise of standard deviation `std` (optionally clamped to [min, max]). */
export function gaussianNoise(o: { std: number; clamp?: [number, number]; generator?: Generator }): Augmentation {
  if (!(o.std >= 0)) throw new ValueError(`gaussianNoise: std must be ≥ 0, got ${o.std}`);
  return (x) => {
    const im = images('gaussianNoise', x), gen = o.generator ?? defaultGenerator;
    const out = im.src.slice();
    const [lo, hi] = o.clamp ?? [-Infinity, Infinity];
    for (let i = 0; i < out.length; i++) out[i] = Math.min(hi, Math.max(lo, out[i]! + o.std * gen.normal()));
    return im.make(out);
  };
}

/** Applies augmentations in order. */
export function compose(...steps: Augmentation[]): Augmentation {
  return (x) => steps.reduce((acc, f) => f(acc), x);
}
