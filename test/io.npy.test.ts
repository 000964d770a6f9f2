import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import { parseNpy } from '../src/io/npy.js';
import { throwsTyped } from './helpers/throws.js';

// .npy files written by NumPy (scripts/gen_npy_fixtures.py): every dtype Axon reads, and the ones it refuses.
const npy = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/npy/${name}.npy`, import.meta.url)));

test('reads the arrays NumPy writes', () => {
  const f32 = parseNpy(npy('f32'));
  assert.deepEqual(
    [f32.dtype, f32.shape, f32.toArray()],
    [
      'float32',
      [2, 3],
      [
        [0, 0.25, 0.5],
        [0.75, 1, 1.25],
      ],
    ],
  );
  assert.deepEqual(parseNpy(npy('f64')).toArray(), [[1.5, -2.25]]);
  assert.deepEqual(parseNpy(npy('i64')).toArray(), [3, -7, 2147483647, 0]);
  assert.deepEqual(parseNpy(npy('u8')).toArray(), [
    [0, 255],
    [7, 8],
  ]);
  const b = parseNpy(npy('bool'));
  assert.deepEqual([b.dtype, b.toArray()], ['bool', [true, false, true]]);
  assert.deepEqual(parseNpy(npy('f16')).toArray(), [0.5, -1, 65504]);
  const s = parseNpy(npy('scalar'));
  assert.deepEqual([s.shape, s.item()], [[], 3.25]);
  assert.deepEqual(parseNpy(npy('v2')).toArray(), [1, 2]);
});

test('refuses what it cannot read, with a FormatError naming why', () => {
  throwsTyped(() => parseNpy(npy('fortran')), ax.FormatError, /Fortran-ordered/);
  throwsTyped(() => parseNpy(npy('big_i64')), ax.FormatError, /1099511627776 does not fit int32/);
  throwsTyped(() => parseNpy(npy('complex')), ax.FormatError, /dtype '<c8' is not supported/);
  throwsTyped(
    () => parseNpy(npy('f32').subarray(0, npy('f32').length - 4)),
    ax.FormatError,
    /needs 24 bytes, the file has 20/,
  );
  throwsTyped(() => parseNpy(new TextEncoder().encode('not numpy at all')), ax.FormatError, /bad magic/);
  const bad = Buffer.from(npy('f32'));
  bad[8] = 0xff; // header length beyond the file
  throwsTyped(() => parseNpy(bad), ax.FormatError, /header is cut short/);
});
