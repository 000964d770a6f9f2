import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PNG } from 'pngjs';
import * as ax from '../src/index.js';
import { colormap } from '../src/io/plot/colormap.js';
import { throwsTyped } from './helpers/throws.js';

const { io } = ax;
const decodePng = (bytes: Uint8Array) => PNG.sync.read(Buffer.from(bytes));
const pixel = (png: PNG, x: number, y: number) => [
  ...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3),
];

describe('io.saveHeatmap', () => {
  test('colours each cell by its value on a shared scale, and draws the scale', () => {
    // Two 2×2 maps, 10 px per cell: values 0, 1, 2, 4 and their negatives.
    const maps = ax.tensor([
      [
        [0, 1],
        [2, 4],
      ],
      [
        [0, -1],
        [-2, -4],
      ],
    ]);
    const png = decodePng(io.encodeHeatmap(maps, { scale: 10, nrow: 2, range: 4 }));
    // Layout: 6 px padding, cells of 20 px side by side.
    const at = (n: number, x: number, y: number) => pixel(png, 6 + n * 26 + x * 10 + 5, 6 + y * 10 + 5);
    assert.deepEqual(at(0, 0, 0), [...colormap('viridis', 0)]);
    assert.deepEqual(at(0, 1, 0), [...colormap('viridis', 0.25)]);
    assert.deepEqual(at(0, 1, 1), [...colormap('viridis', 1)]);
    // 'absolute' (the default) colours −4 like 4.
    assert.deepEqual(at(1, 1, 1), [...colormap('viridis', 1)]);
    // Signed maps use the diverging scale around its middle.
    const signed = decodePng(io.encodeHeatmap(maps, { scale: 10, nrow: 2, range: 4, sign: 'all' }));
    const atS = (n: number, x: number, y: number) => pixel(signed, 6 + n * 26 + x * 10 + 5, 6 + y * 10 + 5);
    assert.deepEqual(atS(0, 0, 0), [...colormap('coolwarm', 0.5)]);
    assert.deepEqual(atS(1, 1, 1), [...colormap('coolwarm', 0)]);
    assert.deepEqual(atS(0, 1, 1), [...colormap('coolwarm', 1)]);
    // The colour bar runs from the scale's first to its last colour.
    const barY = png.height - (10 + 14 + 18) + 6 + 5;
    assert.deepEqual(pixel(png, 6, barY), [...colormap('viridis', 0)]);
  });

  test('over images: zero evidence shows the image, the top of the scale covers it by alpha', () => {
    const images = ax.tensor([[[[0.2, 1]]]]);
    const png = decodePng(io.encodeHeatmap(ax.tensor([[[[0, 3]]]]), { images, scale: 4, range: 3, alpha: 0.5 }));
    assert.deepEqual(pixel(png, 6 + 1, 6 + 1), [51, 51, 51]);
    const top = colormap('viridis', 1);
    assert.deepEqual(
      pixel(png, 6 + 5, 6 + 1),
      top.map((c) => Math.round(255 * 0.5 + c * 0.5)),
    );
  });

  test('channels are summed, captions drawn, and the file is written atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'axon-plot-'));
    const path = join(dir, 'h.png');
    io.saveHeatmap(path, ax.rand(3, 3, 8, 8), { titles: ['a', 'b', 'c'], perMap: true });
    const png = decodePng(readFileSync(path));
    assert.ok(png.width >= 160 && png.height > 112);
    assert.ok(!existsSync(`${path}.tmp`));
  });

  test('bad inputs get typed errors', () => {
    throwsTyped(() => io.encodeHeatmap(ax.zeros(2, 2, 2, 2, 2)), ax.ShapeError, /saveHeatmap/, /\[N, C, H, W\]/);
    throwsTyped(() => io.encodeHeatmap(ax.tensor([[NaN, 1]])), ax.ValueError, /map 0 holds NaN/);
    throwsTyped(
      () => io.encodeHeatmap(ax.zeros(2, 4, 4), { images: ax.zeros(2, 1, 5, 4) }),
      ax.ShapeError,
      /images \[2, 1, 5, 4\]/,
    );
    throwsTyped(() => io.encodeHeatmap(ax.zeros(2, 4, 4), { titles: ['x'] }), ax.ValueError, /1 titles for 2 maps/);
    throwsTyped(
      () => io.encodeHeatmap(ax.zeros(1, 4, 4), { colormap: 'jet' as never }),
      ax.ValueError,
      /unknown colormap 'jet'/,
    );
    throwsTyped(() => io.encodeHeatmap(ax.zeros(1, 4, 4), { alpha: 2 }), ax.ValueError, /alpha/);
    throwsTyped(() => io.encodeHeatmap(ax.zeros(1, 4, 4), { range: -1 }), ax.ValueError, /range must be positive/);
  });
});

describe('io.saveBarChart', () => {
  test('bars sorted largest first, lengths proportional to values, error bars drawn', () => {
    const png = decodePng(
      io.encodeBarChart({ labels: ['small', 'big'], values: [1, 2], errors: [0, 0], width: 200, sort: true }),
    );
    // Row height 20 (14 px text + 6), bars start after the longest label (5 chars × 7 px + 8) and 8 px padding.
    const x0 = 8 + 35 + 8;
    const rowMid = (row: number) => 8 + row * 20 + 10;
    const filled = (row: number) => {
      let n = 0;
      for (let x = x0 + 1; x < x0 + 200; x++) if (pixel(png, x, rowMid(row) + 4).join() !== '255,255,255') n++;
      return n;
    };
    const first = filled(0),
      second = filled(1);
    assert.ok(Math.abs(first - 200) <= 2, `the larger bar spans the plot: ${first}`);
    assert.ok(Math.abs(second - 100) <= 2, `the smaller bar spans half: ${second}`);
  });

  test('negative values extend left of zero; bad inputs get typed errors', () => {
    const png = decodePng(io.encodeBarChart({ labels: ['a', 'b'], values: [-1, 1] }));
    assert.ok(png.width > 320);
    throwsTyped(() => io.encodeBarChart({ labels: [], values: [] }), ax.ValueError, /saveBarChart: no values/);
    throwsTyped(() => io.encodeBarChart({ labels: ['a'], values: [1, 2] }), ax.ValueError, /1 labels for 2 values/);
    throwsTyped(() => io.encodeBarChart({ labels: ['a'], values: [Infinity] }), ax.ValueError, /finite/);
    throwsTyped(() => io.encodeBarChart({ labels: ['a'], values: [1], errors: [1, 2] }), ax.ValueError, /2 errors/);
  });
});

describe('io.saveLineChart', () => {
  const BLUE = '31,119,180',
    ORANGE = '255,127,14';
  /** Pixels of one exact colour left of the legend (which starts PAD + longest name + 28 px from the right). */
  const pointsOf = (png: PNG, color: string, longestName: number) => {
    const legend = png.width - 8 - (longestName * 7 + 28) - 4; // (the legend swatch reaches 1 px left of it)
    const out: [number, number][] = [];
    for (let y = 0; y < png.height; y++)
      for (let x = 0; x < legend; x++) if (pixel(png, x, y).join() === color) out.push([x, y]);
    return out;
  };
  test('each series is drawn in its colour, rising lines rise, log axes straighten powers', () => {
    const x = [1, 10, 100, 1000];
    const png = decodePng(
      io.encodeLineChart({
        series: [
          { name: 'up', x, y: x.map((v) => v * 2) },
          { name: 'down', x, y: x.map((v) => 4000 / v), dashed: true },
        ],
        logX: true,
        logY: true,
        title: 'scaling',
        xLabel: 'batch',
        yLabel: 'samples/s',
        width: 300,
        height: 200,
      }),
    );
    const up = pointsOf(png, BLUE, 4),
      down = pointsOf(png, ORANGE, 4);
    assert.ok(up.length > 300 && down.length > 150, `${up.length} blue and ${down.length} orange pixels`);
    // y = 2x on log-log axes is a straight line: fit y on x; residuals stay within the 5 px point markers
    const fit = (pts: [number, number][]) => {
      const n = pts.length,
        mx = pts.reduce((s, p) => s + p[0], 0) / n,
        my = pts.reduce((s, p) => s + p[1], 0) / n;
      const slope =
        pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
      const worst = Math.max(...pts.map((p) => Math.abs(p[1] - (my + slope * (p[0] - mx)))));
      return { slope, worst };
    };
    const u = fit(up),
      d = fit(down);
    assert.ok(u.slope < -0.3, `the rising series goes up the image (slope ${u.slope})`);
    assert.ok(d.slope > 0.3, `the falling series goes down (slope ${d.slope})`);
    assert.ok(u.worst <= 5 && d.worst <= 5, `straight on log axes: off by ${u.worst} and ${d.worst} px`);
    // dashed: the falling line has gaps along its span, the rising one none
    const columns = (pts: [number, number][]) => new Set(pts.map((p) => p[0]));
    const span = (pts: [number, number][]) => Math.max(...pts.map((p) => p[0])) - Math.min(...pts.map((p) => p[0]));
    assert.ok(columns(up).size >= span(up) - 1, 'solid');
    assert.ok(columns(down).size < span(down) * 0.8, 'dashed');
  });
  test('the file is written, and bad inputs get typed errors', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'axon-line-')), 'loss.png');
    io.saveLineChart(path, { series: [{ name: 'loss', x: [1, 2, 3], y: [0.9, 0.5, 0.4] }] });
    assert.ok(existsSync(path) && decodePng(readFileSync(path)).width > 400);
    const long = decodePng(io.encodeLineChart({ title: 'x'.repeat(100), series: [{ name: 'a', x: [1], y: [1] }] }));
    assert.ok(long.width >= 100 * 7, 'the canvas widens for a long title');
    throwsTyped(() => io.encodeLineChart({ series: [] }), ax.ValueError, /saveLineChart: no series/);
    throwsTyped(
      () => io.encodeLineChart({ series: [{ name: 'a', x: [1, 2], y: [1] }] }),
      ax.ValueError,
      /series 'a' needs x and y of the same non-zero length/,
    );
    throwsTyped(() => io.encodeLineChart({ series: [{ name: 'a', x: [1], y: [NaN] }] }), ax.ValueError, /non-finite y/);
    throwsTyped(
      () => io.encodeLineChart({ series: [{ name: 'a', x: [0, 1], y: [1, 2] }], logX: true }),
      ax.ValueError,
      /x = 0 on a log axis/,
    );
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `s${i}`, x: [1], y: [1] }));
    throwsTyped(() => io.encodeLineChart({ series: many }), ax.ValueError, /at most 10 series/);
  });
});
