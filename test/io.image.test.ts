import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import * as ax from '../src/index.js';

test('saveImageGrid writes a PNG grid that a PNG decoder reads back pixel for pixel', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'axon-png-')), 'grid.png');
  // Three 2×2 grey images: black, white, and a gradient with a value outside the range (clipped).
  const images = ax.tensor([
    [
      [
        [0, 0],
        [0, 0],
      ],
    ],
    [
      [
        [1, 1],
        [1, 1],
      ],
    ],
    [
      [
        [0, 0.5],
        [1, 2],
      ],
    ],
  ]);
  ax.io.saveImageGrid(path, images, { nrow: 2, padding: 1, scale: 2 });
  const png = PNG.sync.read(readFileSync(path));
  assert.equal(png.width, 2 * 4 + 3);
  assert.equal(png.height, 2 * 4 + 3);
  const pixel = (x: number, y: number) => png.data[(y * png.width + x) * 4]!;
  assert.equal(pixel(1, 1), 0); // first image
  assert.equal(pixel(6, 1), 255); // second image, right of the first
  assert.equal(pixel(1, 6), 0); // third image, second row: top-left 0
  assert.equal(pixel(3, 6), 128); // 0.5 → 128 (scaled ×2: columns 3–4)
  assert.equal(pixel(3, 8), 255); // 2 clipped to 255
  assert.equal(pixel(6, 6), 0); // empty cell stays black
  const rgb = ax.rand([2, 3, 4, 4]);
  assert.ok(ax.io.encodeImageGrid(rgb, { range: [0, 1] }).length > 50);
  assert.throws(
    () => ax.io.saveImageGrid(path, ax.zeros([2, 2, 4, 4])),
    /expected images \[N, 1 or 3, H, W\], got \[2, 2, 4, 4\]/,
  );
  assert.throws(() => ax.io.encodeImageGrid(ax.full([1, 1, 2, 2], NaN)), /image 0 holds NaN/);
  assert.throws(() => ax.io.encodeImageGrid(images, { range: [1, 0] }), /range must be increasing/);
});
