// A horizontal bar chart with error bars and labels, as PNG: feature importances, per-group metrics.
import { ValueError } from '../../errors.js';
import { writeFileAtomic } from '../files.js';
import { BLACK, Canvas, GREY, TEXT_HEIGHT, formatNumber, textWidth } from './canvas.js';
import { colormap } from './colormap.js';

export interface BarChartOptions {
  /** One label per bar. */
  labels: readonly string[];
  values: readonly number[];
  /** Half-widths of error bars (e.g. standard deviations), one per bar. */
  errors?: readonly number[];
  title?: string;
  /** Sort bars by value, largest on top (default true). */
  sort?: boolean;
  /** Pixels for the longest bar (default 320). */
  width?: number;
}

const PAD = 8,
  ROW = TEXT_HEIGHT + 6;

/** The PNG bytes of saveBarChart. */
export function encodeBarChart(o: BarChartOptions): Uint8Array {
  const op = 'saveBarChart';
  const n = o?.values?.length ?? 0;
  if (n === 0) throw new ValueError(`${op}: no values`);
  if (o.labels?.length !== n) throw new ValueError(`${op}: ${o.labels?.length ?? 0} labels for ${n} values`);
  if (o.errors && o.errors.length !== n) throw new ValueError(`${op}: ${o.errors.length} errors for ${n} values`);
  const bad = [...o.values, ...(o.errors ?? [])].find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new ValueError(`${op}: values and errors must be finite, got ${bad}`);
  const order = Array.from({ length: n }, (_, i) => i);
  if (o.sort ?? true) order.sort((a, b) => o.values[b]! - o.values[a]!);
  const err = (i: number) => Math.abs(o.errors?.[i] ?? 0);
  const lo = Math.min(0, ...order.map((i) => o.values[i]! - err(i))),
    hi = Math.max(0, ...order.map((i) => o.values[i]! + err(i)));
  const span = hi - lo || 1;
  const plotW = o.width ?? 320;
  const labelW = Math.max(...o.labels.map((s) => textWidth(s))) + PAD;
  const valueW = Math.max(...o.values.map((v) => textWidth(formatNumber(v)))) + PAD;
  const top = PAD + (o.title ? ROW + PAD : 0);
  const canvas = new Canvas(
    Math.max(PAD + labelW + plotW + valueW + PAD, textWidth(o.title ?? '') + 2 * PAD),
    top + n * ROW + ROW + PAD,
  );
  if (o.title) canvas.text(PAD, PAD, o.title);
  const xOf = (v: number) => PAD + labelW + ((v - lo) / span) * plotW;
  const zero = xOf(0);
  order.forEach((i, row) => {
    const y = top + row * ROW,
      v = o.values[i]!;
    canvas.text(PAD + labelW - PAD - textWidth(o.labels[i]!), y + 3, o.labels[i]!);
    const x0 = Math.min(zero, xOf(v)),
      x1 = Math.max(zero, xOf(v));
    canvas.fillRect(
      x0,
      y + 2,
      Math.max(1, x1 - x0),
      ROW - 4,
      colormap('viridis', 0.35 + (0.5 * row) / Math.max(1, n - 1)),
    );
    if (o.errors) {
      const e0 = xOf(v - err(i)),
        e1 = xOf(v + err(i)),
        mid = y + ROW / 2;
      canvas.line(e0, mid, e1, mid, BLACK);
      canvas.line(e0, mid - 3, e0, mid + 3, BLACK);
      canvas.line(e1, mid - 3, e1, mid + 3, BLACK);
    }
    canvas.text(Math.max(x1, o.errors ? xOf(v + err(i)) : x1) + 4, y + 3, formatNumber(v), GREY);
  });
  // The value axis: the zero line and the range's ends.
  const axisY = top + n * ROW;
  canvas.line(zero, top, zero, axisY, BLACK);
  canvas.line(xOf(lo), axisY, xOf(hi), axisY, BLACK);
  for (const v of lo < 0 ? [lo, 0, hi] : [0, hi]) {
    const s = formatNumber(v);
    canvas.line(xOf(v), axisY, xOf(v), axisY + 3, BLACK);
    canvas.text(Math.min(canvas.width - textWidth(s), Math.max(0, xOf(v) - textWidth(s) / 2)), axisY + 5, s);
  }
  return canvas.encode();
}

/** Writes a horizontal bar chart (atomically) as PNG. */
export function saveBarChart(path: string, options: BarChartOptions): void {
  writeFileAtomic(path, encodeBarChart(options), 'saveBarChart');
}
