// Attribution heatmaps: each map coloured and laid over its image, in a grid, with a colour scale
// whose ends are labelled — the picture people look at to see what a model looked at.
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { writeFileAtomic } from '../files.js';
import { Canvas, type RGB, TEXT_HEIGHT, formatNumber, textWidth } from './canvas.js';
import { COLORMAPS, type ColormapName, colormap } from './colormap.js';

export interface HeatmapOptions {
  /** Images [N, 1 or 3, H, W] to draw under the maps (same N, H, W). */
  images?: Tensor;
  /** The image values mapped to black and white (default [0, 1]). */
  imageRange?: [number, number];
  /** 'absolute' (|attr|, default), 'positive' (negatives as 0) or 'all' (signed, on a diverging scale). */
  sign?: 'absolute' | 'positive' | 'all';
  /** Default viridis, or coolwarm for sign 'all'. */
  colormap?: ColormapName;
  /** Opacity of the map over an image at the top of the scale (default 0.7). */
  alpha?: number;
  /** The magnitude at the top of the scale, shared by every map (default: the 99th percentile of |attr|). */
  range?: number;
  /** Scale each map to its own 99th percentile instead (Grad-CAM's usual display; the scale reads 0 to 1). */
  perMap?: boolean;
  /** Pixels per input pixel (default: enough for about 112 px per image). */
  scale?: number;
  /** Maps per row (default ⌈√N⌉). */
  nrow?: number;
  /** A caption above each map. */
  titles?: readonly string[];
}

const PAD = 6;

function maps(op: string, attributions: Tensor): { data: Float64Array; N: number; H: number; W: number } {
  const a = attributions.ndim === 2 ? attributions.unsqueeze(0) : attributions;
  if (a.ndim !== 3 && a.ndim !== 4)
    throw new ShapeError(
      `${op}: expected attributions [N, C, H, W], [N, H, W] or [H, W], got ${fmtShape(attributions.shape)}`,
    );
  // Channels are summed, as Captum's visualisation does.
  const m = (a.ndim === 4 ? a.sum(1) : a).to('float64').contiguous();
  const [N, H, W] = m.shape as [number, number, number];
  if (N * H * W === 0) throw new ValueError(`${op}: no attributions to draw (${fmtShape(attributions.shape)})`);
  const data = m.toTypedArray() as Float64Array;
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ValueError(`${op}: map ${Math.floor(bad / (H * W))} holds ${data[bad]}`);
  return { data, N, H, W };
}

/** The PNG bytes of saveHeatmap. */
export function encodeHeatmap(attributions: Tensor, o: HeatmapOptions = {}): Uint8Array {
  const op = 'saveHeatmap';
  const { data, N, H, W } = maps(op, attributions);
  const sign = o.sign ?? 'absolute';
  if (!['absolute', 'positive', 'all'].includes(sign)) throw new ValueError(`${op}: unknown sign '${sign}'`);
  const cmap = o.colormap ?? (sign === 'all' ? 'coolwarm' : 'viridis');
  if (!COLORMAPS.includes(cmap)) throw new ValueError(`${op}: unknown colormap '${cmap}' (${COLORMAPS.join(', ')})`);
  const alpha = o.alpha ?? 0.7;
  if (!(alpha >= 0 && alpha <= 1)) throw new ValueError(`${op}: alpha must be in [0, 1], got ${alpha}`);
  const scale = o.scale ?? Math.max(1, Math.round(112 / Math.max(H, W)));
  const nrow = o.nrow ?? Math.ceil(Math.sqrt(N));
  if (![scale, nrow].every((v) => Number.isInteger(v) && v >= 1))
    throw new ValueError(`${op}: scale and nrow must be positive integers, got ${scale} and ${nrow}`);
  if (o.titles && o.titles.length !== N) throw new ValueError(`${op}: ${o.titles.length} titles for ${N} maps`);
  let img: Float32Array | null = null,
    C = 0;
  if (o.images) {
    const s = o.images.shape;
    if (o.images.ndim !== 4 || (s[1] !== 1 && s[1] !== 3) || s[0] !== N || s[2] !== H || s[3] !== W)
      throw new ShapeError(
        `${op}: images ${fmtShape(s)} do not match ${N} maps of ${H}×${W} (expected [${N}, 1 or 3, ${H}, ${W}])`,
      );
    img = o.images.float().contiguous().toTypedArray() as Float32Array;
    C = s[1]!;
  }
  const [lo, hi] = o.imageRange ?? [0, 1];
  if (!(hi > lo)) throw new ValueError(`${op}: imageRange must be increasing, got [${lo}, ${hi}]`);

  const value = (v: number) => (sign === 'absolute' ? Math.abs(v) : sign === 'positive' ? Math.max(0, v) : v);
  const p99 = (values: Float64Array) => {
    const m = Float64Array.from(values, (v) => Math.abs(value(v))).sort();
    return m[Math.min(m.length - 1, Math.floor(0.99 * m.length))]! || 1;
  };
  if (o.perMap && o.range !== undefined) throw new ValueError(`${op}: give range or perMap, not both`);
  const top = o.perMap ? 1 : (o.range ?? p99(data));
  if (!(top > 0) || !Number.isFinite(top)) throw new ValueError(`${op}: range must be positive, got ${top}`);
  const mapTop = Array.from({ length: N }, (_, n) => (o.perMap ? p99(data.subarray(n * H * W, (n + 1) * H * W)) : top));
  // Position on the colour scale: [0, 1] from 0 to top, or from −top to top for signed maps.
  const position = (v: number, n: number) =>
    sign === 'all' ? 0.5 + value(v) / (2 * mapTop[n]!) : value(v) / mapTop[n]!;

  const cw = W * scale,
    ch = H * scale,
    caption = o.titles ? TEXT_HEIGHT + 2 : 0;
  const rows = Math.ceil(N / nrow);
  const barH = 10,
    footer = barH + TEXT_HEIGHT + 3 * PAD;
  const width = Math.max(nrow * (cw + PAD) + PAD, 160);
  const canvas = new Canvas(width, rows * (ch + caption + PAD) + PAD + footer);
  for (let n = 0; n < N; n++) {
    const ox = PAD + (n % nrow) * (cw + PAD),
      oy = PAD + Math.floor(n / nrow) * (ch + caption + PAD);
    if (o.titles) canvas.text(ox, oy, o.titles[n]!.slice(0, Math.floor(cw / textWidth('x'))));
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const v = data[(n * H + y) * W + x]!;
        const p = Math.min(1, Math.max(0, position(v, n)));
        const colour = colormap(cmap, p);
        let base: RGB = [0, 0, 0],
          a = 1;
        if (img) {
          const pixels = img;
          const px = (k: number) =>
            Math.round(
              255 * Math.min(1, Math.max(0, (pixels[((n * C + (C === 1 ? 0 : k)) * H + y) * W + x]! - lo) / (hi - lo))),
            );
          base = [px(0), px(1), px(2)];
          // Weak evidence lets the image show through; strong evidence covers it.
          a = alpha * (sign === 'all' ? Math.abs(2 * p - 1) : p);
        }
        canvas.fillRect(ox + x * scale, oy + caption + y * scale, scale, scale, base);
        canvas.fillRect(ox + x * scale, oy + caption + y * scale, scale, scale, colour, a);
      }
  }
  // The colour scale with its ends (and middle, for signed maps) labelled.
  const by = canvas.height - footer + PAD,
    bw = Math.min(width - 2 * PAD, 240);
  for (let i = 0; i < bw; i++) canvas.fillRect(PAD + i, by, 1, barH, colormap(cmap, i / (bw - 1)));
  const labels: [number, string][] =
    sign === 'all'
      ? [
          [0, o.perMap ? '-max' : formatNumber(-top)],
          [0.5, '0'],
          [1, o.perMap ? 'max' : formatNumber(top)],
        ]
      : [
          [0, '0'],
          [1, o.perMap ? 'max of each map' : formatNumber(top)],
        ];
  for (const [t, s] of labels) {
    const x = Math.min(width - textWidth(s) - 1, Math.max(0, PAD + t * bw - textWidth(s) / 2));
    canvas.text(x, by + barH + 2, s);
  }
  return canvas.encode();
}

/** Writes attribution maps as one PNG (atomically): over their images when given, with a colour scale. */
export function saveHeatmap(path: string, attributions: Tensor, options: HeatmapOptions = {}): void {
  writeFileAtomic(path, encodeHeatmap(attributions, options), 'saveHeatmap');
}
