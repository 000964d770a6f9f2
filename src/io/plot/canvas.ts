// A small RGB raster for the charts Axon draws (heatmaps, bar and line charts): rectangles, lines, text in a
// built-in bitmap font, and PNG output through the host (pngjs in Node).
import { platform } from '../../platform/platform.js';
import { GLYPHS, GLYPH_HEIGHT, GLYPH_WIDTH } from './font-data.js';

export type RGB = readonly [number, number, number];

export const BLACK: RGB = [0, 0, 0];
export const WHITE: RGB = [255, 255, 255];
export const GREY: RGB = [120, 120, 120];

export class Canvas {
  /** RGBA, row-major. */
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: RGB = WHITE,
  ) {
    this.data = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  /** Blends `color` over the pixel with opacity alpha in [0, 1]; pixels outside are ignored. */
  blend(x: number, y: number, color: RGB, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const at = (y * this.width + x) * 4,
      d = this.data;
    for (let k = 0; k < 3; k++) d[at + k] = Math.round(d[at + k]! * (1 - alpha) + color[k]! * alpha);
    d[at + 3] = 255;
  }

  fillRect(x: number, y: number, w: number, h: number, color: RGB, alpha = 1): void {
    const x0 = Math.max(0, Math.round(x)),
      y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w)),
      y1 = Math.min(this.height, Math.round(y + h));
    for (let j = y0; j < y1; j++) for (let i = x0; i < x1; i++) this.blend(i, j, color, alpha);
  }

  /** A one-pixel horizontal or vertical line. */
  line(x0: number, y0: number, x1: number, y1: number, color: RGB): void {
    if (Math.round(y0) === Math.round(y1)) this.fillRect(Math.min(x0, x1), y0, Math.abs(x1 - x0) + 1, 1, color);
    else this.fillRect(x0, Math.min(y0, y1), 1, Math.abs(y1 - y0) + 1, color);
  }

  /**
   * A two-pixel-wide segment between any two points (for chart lines), sampled every half pixel;
   * dashed with dashes of `dash` pixels when dash > 0.
   */
  segment(x0: number, y0: number, x1: number, y1: number, color: RGB, dash = 0): void {
    const length = Math.hypot(x1 - x0, y1 - y0);
    const steps = Math.max(1, Math.ceil(length * 2));
    for (let i = 0; i <= steps; i++) {
      if (dash > 0 && Math.floor(((i / steps) * length) / dash) % 2 === 1) continue;
      const x = x0 + ((x1 - x0) * i) / steps,
        y = y0 + ((y1 - y0) * i) / steps;
      this.fillRect(Math.round(x - 1), Math.round(y - 1), 2, 2, color);
    }
  }

  /** Text rotated a quarter turn counter-clockwise (an axis label), its baseline start at (x, y). */
  textVertical(x: number, y: number, s: string, color: RGB = BLACK): void {
    const x0 = Math.round(x),
      y0 = Math.round(y);
    this.glyphs(s, (k, i, j, alpha) => this.blend(x0 + j, y0 - k * GLYPH_WIDTH - i, color, alpha));
  }

  /** Draws printable ASCII (others as '?') with its top-left corner at (x, y); returns the width. */
  text(x: number, y: number, s: string, color: RGB = BLACK): number {
    const x0 = Math.round(x),
      y0 = Math.round(y);
    return this.glyphs(s, (k, i, j, alpha) => this.blend(x0 + k * GLYPH_WIDTH + i, y0 + j, color, alpha)) * GLYPH_WIDTH;
  }

  /** Each lit pixel (i across, j down) of the k-th character's glyph, with its coverage; returns the count. */
  private glyphs(s: string, plot: (k: number, i: number, j: number, alpha: number) => void): number {
    let k = 0;
    for (const ch of s) {
      const code = ch.charCodeAt(0);
      const glyph = GLYPHS[code >= 32 && code < 127 ? code - 32 : 31]!;
      for (let j = 0; j < GLYPH_HEIGHT; j++)
        for (let i = 0; i < GLYPH_WIDTH; i++) {
          const level = parseInt(glyph[j * GLYPH_WIDTH + i]!, 16);
          if (level > 0) plot(k, i, j, level / 15);
        }
      k++;
    }
    return k;
  }

  encode(): Uint8Array {
    return platform().encodePng(this.width, this.height, this.data);
  }
}

export const textWidth = (s: string): number => s.length * GLYPH_WIDTH;
export const TEXT_HEIGHT = GLYPH_HEIGHT;

/** A number in at most 4 significant digits, without trailing zeros, in plain ASCII. */
export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}
