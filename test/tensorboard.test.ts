import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { PNG } from 'pngjs';
import * as ax from '../src/index.js';
import { fixtureEvents } from './helpers/tensorboard-fixture.js';
import { throwsTyped } from './helpers/throws.js';

// An independent reader: CRC-32C bit by bit (Castagnoli polynomial, reflected 0x82f63b78), the
// TFRecord framing, and the Event / Summary fields by their numbers in TensorBoard's .proto files.
function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
const mask = (c: number) => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;

function records(file: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let at = 0; at < file.length;) {
    const n = Number(view.getBigUint64(at, true));
    assert.equal(view.getUint32(at + 8, true), mask(crc32c(file.subarray(at, at + 8))), `length CRC at ${at}`);
    const data = file.subarray(at + 12, at + 12 + n);
    assert.equal(view.getUint32(at + 12 + n, true), mask(crc32c(data)), `data CRC at ${at}`);
    out.push(data);
    at += 16 + n;
  }
  return out;
}

interface Value {
  tag: string;
  scalar?: number;
  histo?: { min: number; max: number; num: number; bucketLimit: number[]; bucket: number[] };
  image?: { height: number; width: number; colorspace: number; png: Uint8Array };
}
interface Event {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values: Value[];
}

function packedDoubles(r: BinaryReader): number[] {
  const bytes = r.bytes(),
    v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 8 }, (_, i) => v.getFloat64(i * 8, true));
}

function readMessage(bytes: Uint8Array, field: (r: BinaryReader, no: number, type: WireType) => boolean): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, type] = r.tag();
    if (!field(r, no, type)) r.skip(type, no);
  }
}

function decodeEvent(bytes: Uint8Array): Event {
  const e: Event = { wallTime: 0, step: 0, values: [] };
  readMessage(bytes, (r, no) => {
    if (no === 1) e.wallTime = r.double();
    else if (no === 2) e.step = Number(r.int64());
    else if (no === 3) e.fileVersion = r.string();
    else if (no === 5)
      readMessage(r.bytes(), (s, n) => {
        if (n !== 1) return false;
        const v: Value = { tag: '' };
        readMessage(s.bytes(), (x, k) => {
          if (k === 1) v.tag = x.string();
          else if (k === 2) v.scalar = x.float();
          else if (k === 5) {
            const h = { min: 0, max: 0, num: 0, bucketLimit: [] as number[], bucket: [] as number[] };
            readMessage(x.bytes(), (y, j) => {
              if (j === 1) h.min = y.double();
              else if (j === 2) h.max = y.double();
              else if (j === 3) h.num = y.double();
              else if (j === 6) h.bucketLimit = packedDoubles(y);
              else if (j === 7) h.bucket = packedDoubles(y);
              else return false;
              return true;
            });
            v.histo = h;
          } else if (k === 4) {
            const img: { height: number; width: number; colorspace: number; png: Uint8Array } = {
              height: 0,
              width: 0,
              colorspace: 0,
              png: new Uint8Array(),
            };
            readMessage(x.bytes(), (y, j) => {
              if (j === 1) img.height = y.int32();
              else if (j === 2) img.width = y.int32();
              else if (j === 3) img.colorspace = y.int32();
              else if (j === 4) img.png = y.bytes();
              else return false;
              return true;
            });
            v.image = img;
          } else return false;
          return true;
        });
        e.values.push(v);
        return true;
      });
    else return false;
    return true;
  });
  return e;
}

function readRun(dir: string): Event[] {
  const files = readdirSync(dir).filter((f) => f.includes('tfevents'));
  assert.equal(files.length, 1, `one event file in ${dir}`);
  return records(readFileSync(join(dir, files[0]!))).map(decodeEvent);
}

describe('TensorBoard event files', () => {
  test('CRC-32C check value and the framing of the committed fixture', () => {
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
    const committed = readFileSync(new URL('./fixtures/tensorboard/events.bin', import.meta.url));
    // Axon still writes the bytes that protoc decoded with the official event.proto (decoded.txt).
    assert.deepEqual(new Uint8Array(committed), fixtureEvents());
    const events = records(committed).map(decodeEvent);
    assert.equal(events.length, 4);
    const decoded = readFileSync(new URL('./fixtures/tensorboard/decoded.txt', import.meta.url), 'utf8');
    assert.match(decoded, /# record 0\nwall_time: 1700000000.25\nfile_version: "brain.Event:2"/);
    assert.match(decoded, /step: 3\nsummary \{\n {2}value \{\n {4}tag: "epoch_loss"\n {4}simple_value: 0.25/);
    assert.match(
      decoded,
      /histo \{\n\s+min: -1\n\s+max: 3\n\s+num: 5\n\s+sum: 5\n\s+sum_squares: 15\n\s+bucket_limit: 1\n\s+bucket_limit: 3\n\s+bucket: 2\n\s+bucket: 3/,
    );
    assert.match(decoded, /step: 1099511627776\n[\s\S]*image \{\n\s+height: 1\n\s+width: 2\n\s+colorspace: 4/);
    assert.equal(events[0]!.fileVersion, 'brain.Event:2');
    assert.equal(events[3]!.step, 2 ** 40);
  });

  test('TensorBoardLogger during fit: train and validation scalars, weight and gradient histograms, images', () => {
    const dir = mkdtempSync(join(tmpdir(), 'axon-tb-'));
    ax.manualSeed(0);
    const x = ax.randn(64, 4),
      y = x.select(1, 0).gt(0).int();
    const model = new ax.nn.Sequential(new ax.nn.Linear(4, 8), new ax.nn.ReLU(), new ax.nn.Linear(8, 2));
    const loader = new ax.data.DataLoader(new ax.data.TensorDataset(x, y), { batchSize: 16 });
    ax.train.fit(model, loader, {
      epochs: 3,
      optimizer: new ax.optim.Adam(model.parameters(), { lr: 0.05 }),
      loss: ax.nn.functional.crossEntropy,
      validation: loader,
      metrics: { accuracy: ax.train.metrics.accuracy },
      callbacks: [
        new ax.train.TensorBoardLogger(dir, { images: (epoch) => ({ inputs: ax.full([1, 1, 2, 3], epoch / 3) }) }),
      ],
      progress: false,
    });
    const train = readRun(join(dir, 'train')),
      validation = readRun(join(dir, 'validation'));
    assert.equal(train[0]!.fileVersion, 'brain.Event:2');
    const scalars = (events: Event[], tag: string) =>
      events.flatMap((e) => e.values.filter((v) => v.tag === tag).map((v) => [e.step, v.scalar!] as const));
    assert.deepEqual(
      scalars(train, 'epoch_loss').map(([s]) => s),
      [1, 2, 3],
    );
    assert.ok(scalars(train, 'epoch_loss')[2]![1] < scalars(train, 'epoch_loss')[0]![1], 'the loss falls');
    assert.equal(scalars(train, 'epoch_lr').length, 3);
    assert.equal(scalars(validation, 'epoch_loss').length, 3);
    const acc = scalars(validation, 'epoch_accuracy');
    assert.equal(acc.length, 3);
    assert.ok(acc[2]![1] > 0.8, `validation accuracy ${acc[2]![1]}`);
    const histos = train.flatMap((e) => e.values.filter((v) => v.histo));
    const tags = new Set(histos.map((h) => h.tag));
    for (const name of ['0.weight', '0.bias', '2.weight', '2.bias'])
      assert.ok(tags.has(name) && tags.has(`${name}/gradient`), `${name} and its gradient`);
    const w = histos.find((h) => h.tag === '0.weight')!.histo!;
    assert.equal(w.num, 32);
    assert.equal(
      w.bucket.reduce((a, b) => a + b),
      32,
    );
    assert.equal(w.bucketLimit.at(-1), w.max);
    const img = train.flatMap((e) => e.values.filter((v) => v.image))[2]!.image!;
    const png = PNG.sync.read(Buffer.from(img.png));
    assert.deepEqual([img.width, img.height, png.width, png.height], [3, 2, 3, 2]);
    assert.equal(png.data[0], 255, 'epoch 3 image is white');
  });

  test('SummaryWriter: scalars, histograms (also of a constant) and bad inputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'axon-tb-'));
    const w = new ax.train.SummaryWriter(dir);
    w.addScalar('a', 1.5, 7);
    w.addHistogram('same', ax.full([5], 2), 1);
    w.addHistogram('ramp', ax.arange(10).float(), 2, { bins: 5 });
    const events = readRun(dir);
    assert.equal(events[1]!.values[0]!.scalar, 1.5);
    assert.deepEqual(events[2]!.values[0]!.histo!.bucket, [5]);
    assert.deepEqual(events[3]!.values[0]!.histo!.bucket, [2, 2, 2, 2, 2]);
    throwsTyped(() => w.addScalar('a', NaN, 1), ax.ValueError, /'a' must be a number/);
    throwsTyped(() => w.addScalar('', 1, 1), ax.ValueError, /tag/);
    throwsTyped(() => w.addScalar('a', 1, -1), ax.ValueError, /step must be an integer ≥ 0/);
    throwsTyped(() => w.addHistogram('h', ax.tensor([1, Infinity]), 1), ax.ValueError, /'h' holds Infinity/);
    throwsTyped(() => w.addHistogram('h', ax.zeros(0), 1), ax.ValueError, /non-empty/);
    throwsTyped(() => w.addImage('i', ax.zeros(4, 4), 1), ax.ShapeError, /\[C, H, W\]/);
    w.close();
    throwsTyped(() => w.addScalar('a', 1, 1), ax.ValueError, /closed/);
    throwsTyped(() => new ax.train.TensorBoardLogger(''), ax.ValueError, /logDir/);
    throwsTyped(() => new ax.train.SummaryWriter(''), ax.ValueError, /logDir/);
    throwsTyped(() => new ax.train.SummaryWriter(3 as never), ax.ValueError, /logDir/);
    throwsTyped(() => new ax.train.TensorBoardLogger(dir, { histogramFreq: -1 }), ax.ValueError, /histogramFreq/);
  });
});
