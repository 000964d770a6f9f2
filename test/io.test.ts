import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import { loadFixture } from './helpers/fixtures.js';
import { axonWrittenModel } from '../scripts/write_axon_safetensors.js';

const { io, nn } = ax;
const fixturePath = fileURLToPath(new URL('./fixtures/python.safetensors', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'axon-io-'));

/** A safetensors file from a header object and raw data bytes. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  test('reads a file written by Python (PyTorch state dict, F16/BF16/I64/BOOL/F64/empty) and loads it into a model', () => {
    const { tensors, metadata } = io.loadSafetensors(fixturePath);
    const expected = loadFixture<{ tensors: Record<string, { shape: number[]; values: (number | boolean)[] }> }>(
      'python.safetensors.json',
    ).tensors;
    assert.deepEqual({ ...metadata }, { format: 'pt' });
    assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected).sort());
    for (const [k, e] of Object.entries(expected)) {
      assert.deepEqual(tensors[k]!.shape, e.shape, k);
      const got = tensors[k]!.toArray();
      const flat = [got].flat(Infinity) as (number | boolean)[];
      flat.forEach((v, i) =>
        assert.ok(
          v === e.values[i] ||
            Math.abs((v as number) - (e.values[i] as number)) <= 1e-6 * Math.abs(e.values[i] as number),
          `${k}[${i}]: ${v} vs ${e.values[i]}`,
        ),
      );
    }
    assert.equal(tensors['1.num_batches_tracked']!.dtype, 'int32');
    const model = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
    const own = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith('extra.')));
    model.loadStateDict(own);
    assert.equal(model.stateDict()['1.num_batches_tracked']!.item(), 1);
  });

  test('round trip: every dtype, metadata, header padded to 8 bytes, atomic write', () => {
    const dir = tmp();
    const file = join(dir, 'w.safetensors');
    const t = {
      a: ax.randn([3, 4]),
      b: ax.arange(5),
      c: ax.tensor([true, false]),
      d: ax.randn([2], { dtype: 'float64' }),
      e: ax.zeros([0, 2]),
      v: ax.arange(12).reshape(3, 4).t(),
    };
    io.saveSafetensors(file, t, { epoch: '3' });
    const bytes = readFileSync(file);
    assert.equal(Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)) % 8, 0);
    const back = io.loadSafetensors(file);
    assert.deepEqual({ ...back.metadata }, { epoch: '3' });
    for (const [k, v] of Object.entries(t)) {
      assert.equal(back.tensors[k]!.dtype, v.dtype);
      assert.deepEqual(back.tensors[k]!.toArray(), v.toArray(), k);
    }
    assert.deepEqual(readdirSync(dir), ['w.safetensors'], 'no temporary file left behind');
    // a model's state dict, saved and restored
    const m1 = new nn.Linear(4, 2),
      m2 = new nn.Linear(4, 2);
    io.saveSafetensors(file, m1.stateDict());
    m2.loadStateDict(io.loadSafetensors(file).tensors);
    assert.deepEqual(m2.weight.toArray(), m1.weight.toArray());
  });

  test('a failed write leaves the previous file intact', () => {
    const dir = tmp();
    const file = join(dir, 'w.safetensors');
    io.saveSafetensors(file, { a: ax.ones([2]) });
    assert.throws(() => io.saveSafetensors(file, { a: ax.ones([2]), __metadata__: ax.ones([1]) }), ax.ValueError);
    assert.deepEqual(io.loadSafetensors(file).tensors['a']!.toArray(), [1, 1]);
    assert.throws(() => io.writeFileAtomic(join(dir, 'missing-dir', 'x'), new Uint8Array(1)));
    assert.deepEqual(readdirSync(dir), ['w.safetensors']);
  });

  test('hostile and corrupt files raise FormatError without allocating what they claim', () => {
    const f32 = (n: number) => new Uint8Array(4 * n);
    const bad: [string, Uint8Array, RegExp][] = [
      ['too short', new Uint8Array(4), /too short/],
      ['header length beyond the file', craft({}, new Uint8Array(0), 1n << 40n), /beyond the file/],
      [
        'header not JSON',
        (() => {
          const b = craft({ a: 1 });
          b[9] = 0x7b;
          b[10] = 0x7b;
          return b;
        })(),
        /not valid JSON/,
      ],
      ['unknown dtype', craft({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, f32(2)), /unsupported dtype/],
      [
        'shape does not match bytes',
        craft({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)),
        /needs 12/,
      ],
      [
        'offsets outside the data',
        craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(1)),
        /outside the 4 data bytes/,
      ],
      [
        'overlapping tensors',
        craft(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          f32(2),
        ),
        /overlapping or missing/,
      ],
      [
        'data not covered',
        craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)),
        /cover 4 of the 8/,
      ],
      ['absurd shape', craft({ a: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 4] } }, f32(1)), /needs/],
      [
        'negative offsets',
        craft({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, f32(1)),
        /invalid data_offsets/,
      ],
      ['metadata not strings', craft({ __metadata__: { a: 1 } }), /not a string/],
      [
        'int64 beyond int32',
        craft({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0])),
        /outside int32/,
      ],
    ];
    for (const [what, bytes, pattern] of bad) {
      assert.throws(
        () => io.parseSafetensors(bytes),
        (e: Error) => e instanceof ax.FormatError && pattern.test(e.message),
        what,
      );
    }
    const dir = tmp();
    writeFileSync(join(dir, 'x'), new Uint8Array(3));
    assert.throws(() => io.loadSafetensors(join(dir, 'x')), ax.FormatError);
    assert.throws(() => io.loadSafetensors(join(dir, 'nope')), ax.FormatError);
  });
});

test('a file written by Axon loads in PyTorch: the bytes PyTorch checked are the bytes Axon writes', () => {
  // scripts/check_axon_safetensors.py loaded axon-written.safetensors into the same architecture in
  // PyTorch (load_state_dict strict) and recorded PyTorch's output; Axon must still write those bytes.
  const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
  const fixture = JSON.parse(readFileSync(`${dir}axon-written.json`, 'utf8')) as {
    input: number[][];
    axonOutput: number[][];
    torchOutput: number[][];
    checkedBy: string;
  };
  assert.match(fixture.checkedBy, /load_state_dict\(strict=True\) ok/);
  const { model, input } = axonWrittenModel();
  // The layout (header bytes) is identical; the values match to float32 rounding (the running
  // statistics are summed in a different order by each backend).
  const bytes = Buffer.from(ax.io.serializeSafetensors(model.stateDict(), { writer: 'axon' }));
  const checked = readFileSync(`${dir}axon-written.safetensors`);
  const headerEnd = 8 + Number(checked.readBigUInt64LE(0));
  assert.equal(bytes.length, checked.length);
  assert.deepEqual(bytes.subarray(0, headerEnd), checked.subarray(0, headerEnd));
  const ours = ax.io.parseSafetensors(bytes).tensors,
    theirs = ax.io.parseSafetensors(checked).tensors;
  for (const [k, t] of Object.entries(theirs)) {
    const a = ours[k]!.reshape(-1).toArray() as number[],
      b = t.reshape(-1).toArray() as number[];
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-6 * (1 + Math.abs(b[i]!)), `${k}[${i}]: ${v} vs ${b[i]}`));
  }
  const out = ax.noGrad(() => model.forward(input)).toArray() as number[][];
  out
    .flat()
    .forEach((v, i) =>
      assert.ok(
        Math.abs(v - fixture.torchOutput.flat()[i]!) < 1e-5,
        `output ${i}: Axon ${v}, PyTorch ${fixture.torchOutput.flat()[i]}`,
      ),
    );
});
