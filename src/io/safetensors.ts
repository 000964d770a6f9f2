import { FormatError, ValueError } from '../errors.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { readFileFor, writeFileAtomic } from './files.js';
import { topLevelKeys } from './json-keys.js';

// safetensors: 8-byte little-endian header length, a JSON header {name: {dtype, shape,
// data_offsets: [begin, end)}} (plus an optional "__metadata__" string map), then the data.
// Nothing in the file can execute code; every number in the header is checked before use.

const MAX_HEADER = 100 * 1024 * 1024; // the reference implementation's limit
// What a header may need: 1 MiB for __metadata__ (a checkpoint's JSON) and 4 KiB per entry.
const HEADER_BASE = 1024 * 1024;
const HEADER_PER_ENTRY = 4096;

const WRITE: Record<DType, [string, number]> = {
  float64: ['F64', 8],
  float32: ['F32', 4],
  int32: ['I32', 4],
  bool: ['BOOL', 1],
};
const READ: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** The bytes of a safetensors file holding `tensors` (in name order, header padded to 8 bytes). */
export function serializeSafetensors(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string') throw new ValueError(`saveSafetensors: metadata value of '${k}' must be a string`);
    header['__metadata__'] = metadata;
  }
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const name of names) {
    if (name === '__metadata__') throw new ValueError("saveSafetensors: '__metadata__' cannot name a tensor");
    const t = tensors[name]!;
    const [code, size] = WRITE[t.dtype];
    const data = t.toTypedArray();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length * size);
    header[name] = { dtype: code, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Spaces pad the header so the data starts 8-byte aligned.
  const head = new Uint8Array(json.length + ((8 - ((json.length + 8) % 8)) % 8)).fill(0x20);
  head.set(json);
  const cap = HEADER_BASE + HEADER_PER_ENTRY * Object.keys(header).length;
  if (head.length > cap)
    throw new ValueError(
      `saveSafetensors: the header would have ${head.length} bytes, more than readers accept for ${Object.keys(header).length} entries (${cap}); keep metadata under 1 MiB`,
    );
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/** Writes a safetensors file atomically: a temporary file, flushed, then renamed over the target. */
export function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata), 'saveSafetensors');
}

export function loadSafetensors(path: string): Safetensors {
  return parseSafetensors(readFileFor('loadSafetensors', path), path);
}

/**
 * Reads safetensors bytes. F16/BF16 become float32, integer types int32 (values outside int32
 * are an error), BOOL bool. Any inconsistency is a FormatError naming the tensor and the problem.
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors data'): Safetensors {
  const fail = (msg: string): never => {
    throw new FormatError(`loadSafetensors: ${source}: ${msg}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.length - 8)))
    fail(`header length ${n} goes beyond the file (${bytes.length} bytes) or the ${MAX_HEADER}-byte limit`);
  const headerLen = Number(n);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    return fail('the header is not valid UTF-8');
  }
  // Keys are counted before JSON.parse: duplicates (JSON.parse would keep the last silently) are
  // refused, and the header may not be larger than its entries can need, so a huge header cannot
  // make the parse take gigabytes for a handful of tensors.
  const keys = topLevelKeys(text);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) fail(`the header names '${k}' twice`);
    seen.add(k);
  }
  const cap = HEADER_BASE + HEADER_PER_ENTRY * keys.length;
  if (headerLen > cap) fail(`the header has ${headerLen} bytes for ${keys.length} entries (at most ${cap} allowed)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    return fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + headerLen,
    dataLen = bytes.length - dataStart;
  // Null-prototype maps: a tensor named '__proto__' is an ordinary entry, not the prototype.
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info))
        fail('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(info as object)) {
        if (typeof v !== 'string') fail(`__metadata__ value of '${k}' is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const {
      dtype,
      shape,
      data_offsets: offs,
    } = (info ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in READ))
      fail(`tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0))
      fail(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0))
      fail(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offs)}`);
    const [begin, end] = offs as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLen)
      fail(`tensor '${name}' has data_offsets [${begin}, ${end}] outside the ${dataLen} data bytes`);
    if (end - begin !== count * READ[dtype as string]!)
      fail(
        `tensor '${name}' has ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${count * READ[dtype as string]!}`,
      );
    entries.push({ name, dtype: dtype as string, shape: shape as number[], begin, end });
  }
  // The tensors must tile the data exactly: no overlaps, no gaps.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin !== cursor)
      fail(`tensor '${e.name}' starts at byte ${e.begin}, expected ${cursor} (overlapping or missing data)`);
    cursor = e.end;
  }
  if (cursor !== dataLen) fail(`the tensors cover ${cursor} of the ${dataLen} data bytes`);
  const tensors: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  for (const e of entries) tensors[e.name] = decode(view, dataStart + e.begin, e, fail);
  return { tensors, metadata };
}

function decode(
  view: DataView,
  at: number,
  e: { name: string; dtype: string; shape: number[]; begin: number; end: number },
  fail: (m: string) => never,
): Tensor {
  const count = e.shape.reduce((a, b) => a * b, 1);
  let out: TypedArray;
  switch (e.dtype) {
    case 'F32':
      out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, true);
      break;
    case 'F64':
      out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, true);
      break;
    case 'F16':
      out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = half(view.getUint16(at + 2 * i, true));
      break;
    case 'BF16':
      out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = bfloat(view.getUint16(at + 2 * i, true));
      break;
    case 'I64':
      out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(at + 8 * i, true);
        if (v > 2147483647n || v < -2147483648n) fail(`tensor '${e.name}' holds the int64 value ${v}, outside int32`);
        out[i] = Number(v);
      }
      break;
    case 'I32':
      out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i, true);
      break;
    case 'I16':
      out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(at + 2 * i, true);
      break;
    case 'I8':
      out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(at + i);
      break;
    case 'U8':
      out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(at + i);
      break;
    default:
      out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint8(at + i) !== 0 ? 1 : 0;
  }
  return fromTypedArray(out, e.shape);
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function bfloat(b: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint32(0, b << 16);
  return buf.getFloat32(0);
}
