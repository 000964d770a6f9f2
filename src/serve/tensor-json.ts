// Tensors as the Open Inference Protocol (KServe v2) writes them in JSON: name, shape, datatype and
// the data in row-major order (flat, or nested as the shape says).
import { type DType, MAX_ELEMENTS, allocArray } from '../tensor/dtype.js';
import type { WireTensor } from './wire.js';

/** A request the server refuses: the HTTP status and a reason the client can act on. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface JsonTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown;
}

/** The protocol's datatypes Axon reads, and the Axon dtype each becomes. */
const READS: Record<string, DType> = {
  FP32: 'float32',
  FP16: 'float32',
  FP64: 'float64',
  INT8: 'int32',
  INT16: 'int32',
  INT32: 'int32',
  INT64: 'int32',
  UINT8: 'int32',
  UINT16: 'int32',
  UINT32: 'int32',
  UINT64: 'int32',
  BOOL: 'bool',
};

export const WRITES: Record<DType, string> = { float32: 'FP32', float64: 'FP64', int32: 'INT32', bool: 'BOOL' };

function flatten(data: unknown, out: unknown[], depth: number, where: string): void {
  if (Array.isArray(data)) {
    if (depth > 64) throw new RequestError(400, `${where}: data is nested more than 64 deep`);
    for (const v of data) {
      if (out.length > MAX_ELEMENTS) throw new RequestError(413, `${where}: too many values`);
      if (Array.isArray(v)) flatten(v, out, depth + 1, where);
      else out.push(v);
    }
  } else out.push(data);
}

/** A JSON tensor's values, every field checked; `allowNonFinite` lets NaN/±Infinity through (as strings). */
export function tensorFromJson(
  t: unknown,
  where: string,
  allowNonFinite = false,
): { name: string; tensor: WireTensor } {
  if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new RequestError(400, `${where}: not an object`);
  const { name, shape, datatype, data } = t as Partial<JsonTensor>;
  if (typeof name !== 'string' || name === '')
    throw new RequestError(400, `${where}: 'name' must be a non-empty string`);
  const at = `${where} '${name}'`;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0))
    throw new RequestError(400, `${at}: 'shape' must be a list of non-negative integers`);
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (size > MAX_ELEMENTS) throw new RequestError(413, `${at}: shape [${shape}] holds ${size} elements`);
  if (typeof datatype !== 'string' || !(datatype in READS))
    throw new RequestError(
      400,
      `${at}: datatype ${JSON.stringify(datatype)} is not one of ${Object.keys(READS).join(', ')}`,
    );
  const dtype = READS[datatype]!;
  // The usual body is already flat: read it in place rather than copying it into a flat list.
  let values: unknown[];
  if (Array.isArray(data) && data.length === size && (size === 0 || !Array.isArray(data[0]))) values = data;
  else flatten(data, (values = []), 0, at);
  if (values.length !== size)
    throw new RequestError(400, `${at}: shape [${shape}] needs ${size} values, 'data' has ${values.length}`);
  const out = allocArray(dtype, size, 'serve');
  for (let i = 0; i < size; i++) {
    let v = values[i];
    if (dtype === 'bool') {
      if (typeof v !== 'boolean') throw new RequestError(400, `${at}: value ${i} is not a boolean`);
      out[i] = v ? 1 : 0;
      continue;
    }
    if (Array.isArray(v)) throw new RequestError(400, `${at}: value ${i} is a list where a number belongs`);
    if (allowNonFinite && typeof v === 'string' && /^(NaN|-?Infinity)$/.test(v)) v = Number(v);
    if (typeof v !== 'number') throw new RequestError(400, `${at}: value ${i} is not a number (${JSON.stringify(v)})`);
    if (!Number.isFinite(v) && !allowNonFinite) throw new RequestError(400, `${at}: value ${i} is not finite`);
    if (dtype === 'int32' && (!Number.isInteger(v) || v < -2147483648 || v > 2147483647))
      throw new RequestError(400, `${at}: value ${i} (${v}) is not a 32-bit integer`);
    out[i] = v;
  }
  return { name, tensor: { dtype, shape: shape as number[], data: out } };
}

/** An output tensor as JSON: flat data, NaN and infinities as strings (JSON has no literal for them). */
export function tensorToJson(name: string, t: WireTensor): JsonTensor {
  const values = t.data;
  const data: (number | boolean | string)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    data[i] = t.dtype === 'bool' ? v !== 0 : Number.isFinite(v) ? v : String(v);
  }
  return { name, shape: [...t.shape], datatype: WRITES[t.dtype], data };
}
