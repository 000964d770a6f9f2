// Colour maps as piecewise-linear runs through matplotlib's published anchor colours: viridis
// (perceptually uniform, for magnitudes) and coolwarm (diverging, for signed values).
import type { RGB } from './canvas.js';

const hex = (s: string): RGB => [parseInt(s.slice(1, 3), 16), parseInt(s.slice(3, 5), 16), parseInt(s.slice(5, 7), 16)];

const ANCHORS = {
  viridis: [
    '#440154',
    '#482878',
    '#3e4a89',
    '#31688e',
    '#26828e',
    '#1f9e89',
    '#35b779',
    '#6dcd59',
    '#b4de2c',
    '#fde725',
  ],
  coolwarm: ['#3b4cc0', '#6788ee', '#9abbff', '#c9d7f0', '#edd1c2', '#f7a889', '#e26952', '#b40426'],
} as const;

export type ColormapName = keyof typeof ANCHORS;

export const COLORMAPS = Object.keys(ANCHORS) as ColormapName[];

/** The colour at t in [0, 1] (clamped). */
export function colormap(name: ColormapName, t: number): RGB {
  const stops = ANCHORS[name].map(hex);
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x)),
    f = x - i;
  const a = stops[i]!,
    b = stops[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f].map(
    Math.round,
  ) as unknown as RGB;
}
