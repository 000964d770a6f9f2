// A line chart of one or more series, as PNG: training curves, throughput against batch size.
import { ValueError } from '../../errors.js';
import { writeFileAtomic } from '../files.js';
import { BLACK, Canvas, GREY, type RGB, TEXT_HEIGHT, formatNumber, textWidth } from './canvas.js';

export interface LineSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** Drawn dashed (e.g. the reference side of a comparison). */
  dashed?: boolean;
}

export interface LineChartOptions {
  series: readonly LineSeries[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic axes (every value must then be positive). */
  logX?: boolean;
  logY?: boolean;
  /** The plot area in pixels (default 480 × 280). */
  width?: number;
  height?: number;
}

/** Ten distinguishable colours (the tab10 palette), one per series in order. */
const PALETTE: RGB[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];
const PAD = 8;

/** Ticks for an axis: powers of ten (and their 2× and 5×, when few) on a log axis, round steps on a linear one. */
function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
      for (const m of [1, 2, 5]) out.push(m * 10 ** e);
    const inside = out.filter((v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9));
    const decades = inside.filter((v) => Number.isInteger(Math.log10(v)) || Math.abs(Math.log10(v) % 1) < 1e-9);
    return decades.length >= 3 ? decades : inside.length >= 2 ? inside : [lo, hi];
  }
  const raw = (hi - lo) / 5 || 1;
  const step = [1, 2, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** The PNG bytes of saveLineChart. */
export function encodeLineChart(o: LineChartOptions): Uint8Array {
  const op = 'saveLineChart';
  if (!Array.isArray(o?.series) || o.series.length === 0) throw new ValueError(`${op}: no series`);
  const series: readonly LineSeries[] = o.series;
  if (series.length > PALETTE.length)
    throw new ValueError(`${op}: at most ${PALETTE.length} series, got ${series.length}`);
  for (const s of series) {
    if (!s || s.x?.length !== s.y?.length || !s.x?.length)
      throw new ValueError(`${op}: series '${s?.name}' needs x and y of the same non-zero length`);
    for (const [axis, values, log] of [
      ['x', s.x, o.logX],
      ['y', s.y, o.logY],
    ] as const)
      for (const v of values) {
        if (!Number.isFinite(v)) throw new ValueError(`${op}: series '${s.name}' has a non-finite ${axis} value ${v}`);
        if (log && v <= 0) throw new ValueError(`${op}: series '${s.name}' has ${axis} = ${v} on a log axis`);
      }
  }
  const xs = series.flatMap((s) => s.x),
    ys = series.flatMap((s) => s.y);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!o.logY) y0 = Math.min(0, y0); // a linear value axis starts at zero
  if (x0 === x1) [x0, x1] = o.logX ? [x0 / 2, x1 * 2] : [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = o.logY ? [y0 / 2, y1 * 2] : [y0 - 1, y1 + 1];
  const xt = ticks(x0, x1, !!o.logX),
    yt = ticks(y0, y1, !!o.logY);
  if (o.logY) [y0, y1] = [Math.min(y0, yt[0]!), Math.max(y1, yt[yt.length - 1]!)];
  const W = o.width ?? 480,
    H = o.height ?? 280;
  const left = PAD + Math.max(...yt.map((v) => textWidth(formatNumber(v)))) + 6 + (o.yLabel ? TEXT_HEIGHT + PAD : 0);
  const top = PAD + (o.title ? TEXT_HEIGHT + PAD : 0);
  const legendW = Math.max(...series.map((s) => textWidth(s.name))) + 28;
  const canvas = new Canvas(
    Math.max(left + W + PAD + legendW + PAD, left + textWidth(o.title ?? '') + PAD),
    top + H + 2 * TEXT_HEIGHT + 3 * PAD,
  );
  const scale = (v: number, lo: number, hi: number, log?: boolean) =>
    log ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo);
  const px = (v: number) => left + scale(v, x0, x1, o.logX) * W;
  const py = (v: number) => top + H - scale(v, y0, y1, o.logY) * H;

  if (o.title) canvas.text(left, PAD, o.title);
  for (const v of yt) {
    const y = Math.round(py(v)),
      s = formatNumber(v);
    canvas.line(left, y, left + W, y, [230, 230, 230]);
    canvas.text(left - 6 - textWidth(s), y - TEXT_HEIGHT / 2, s);
  }
  for (const v of xt) {
    const x = Math.round(px(v)),
      s = formatNumber(v);
    canvas.line(x, top, x, top + H, [230, 230, 230]);
    canvas.text(x - textWidth(s) / 2, top + H + 4, s);
  }
  canvas.line(left, top, left, top + H, BLACK);
  canvas.line(left, top + H, left + W, top + H, BLACK);
  if (o.xLabel) canvas.text(left + W / 2 - textWidth(o.xLabel) / 2, top + H + TEXT_HEIGHT + 2 * PAD, o.xLabel, GREY);
  if (o.yLabel) canvas.textVertical(PAD, top + H / 2 + textWidth(o.yLabel) / 2, o.yLabel, GREY);

  series.forEach((s, k) => {
    const color = PALETTE[k]!;
    const order = s.x.map((_, i) => i).sort((a, b) => s.x[a]! - s.x[b]!);
    for (let i = 1; i < order.length; i++) {
      const a = order[i - 1]!,
        b = order[i]!;
      canvas.segment(px(s.x[a]!), py(s.y[a]!), px(s.x[b]!), py(s.y[b]!), color, s.dashed ? 6 : 0);
    }
    for (const i of order) canvas.fillRect(px(s.x[i]!) - 2, py(s.y[i]!) - 2, 5, 5, color);
    const ly = top + k * (TEXT_HEIGHT + 4);
    canvas.segment(
      left + W + PAD,
      ly + TEXT_HEIGHT / 2,
      left + W + PAD + 18,
      ly + TEXT_HEIGHT / 2,
      color,
      s.dashed ? 6 : 0,
    );
    canvas.text(left + W + PAD + 24, ly, s.name);
  });
  return canvas.encode();
}

/** Writes a line chart (atomically) as PNG. */
export function saveLineChart(path: string, options: LineChartOptions): void {
  writeFileAtomic(path, encodeLineChart(options), 'saveLineChart');
}
