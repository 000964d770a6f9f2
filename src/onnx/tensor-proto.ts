import { create } from '@bufbuild/protobuf';
import { OnnxError } from '../errors.js';
import { type DType, MAX_ELEMENTS, allocArray } from '../tensor/dtype.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { bfloat16ToNumber, halfToNumber } from '../io/half.js';
import { ONNX_TYPE, axonDType, onnxType, onnxTypeName } from './dtypes.js';
import { type TensorProto, TensorProtoSchema, TensorProto_DataLocation } from './proto/onnx_pb.js';
import { StringTensor } from './value.js';

/** Reads the bytes of a tensor stored outside the model file (external-data.ts). */
export type ExternalReader = (entries: ReadonlyMap<string, string>, byteLength: number, where: string) => Uint8Array;

const BYTES: Record<number, number> = {
  [ONNX_TYPE.FLOAT]: 4,
  [ONNX_TYPE.UINT8]: 1,
  [ONNX_TYPE.INT8]: 1,
  [ONNX_TYPE.UINT16]: 2,
  [ONNX_TYPE.INT16]: 2,
  [ONNX_TYPE.INT32]: 4,
  [ONNX_TYPE.INT64]: 8,
  [ONNX_TYPE.BOOL]: 1,
  [ONNX_TYPE.FLOAT16]: 2,
  [ONNX_TYPE.DOUBLE]: 8,
  [ONNX_TYPE.UINT32]: 4,
  [ONNX_TYPE.UINT64]: 8,
  [ONNX_TYPE.BFLOAT16]: 2,
};

/** A dimension list from the file, checked: non-negative integers whose product fits a tensor. */
export function checkedDims(dims: readonly bigint[], where: string): number[] {
  const shape: number[] = [];
  let size = 1;
  for (const d of dims) {
    if (d < 0n || d > BigInt(MAX_ELEMENTS))
      throw new OnnxError(`${where}: dimension ${d} is not a size between 0 and ${MAX_ELEMENTS}`);
    shape.push(Number(d));
    size *= Number(d);
  }
  if (size > MAX_ELEMENTS)
    throw new OnnxError(`${where}: shape [${shape.join(', ')}] holds ${size} elements, more than ${MAX_ELEMENTS}`);
  return shape;
}

/**
 * An ONNX 64-bit integer as an int32 element. Values beyond 2^53 are the "to the end" sentinels
 * exporters write (INT64_MAX as a Slice end) and saturate; other values outside int32 cannot be held.
 */
export function narrowInt(v: bigint, where: string): number {
  if (v >= -2147483648n && v <= 2147483647n) return Number(v);
  if (v >= 2n ** 53n) return 2147483647;
  if (v <= -(2n ** 53n)) return -2147483648;
  throw new OnnxError(`${where}: the 64-bit integer ${v} does not fit Axon's int32 tensors`);
}

/** The tensor a TensorProto holds, as an Axon tensor (or a StringTensor). Checks sizes before allocating. */
export function tensorFromProto(proto: TensorProto, where: string, external?: ExternalReader): Tensor | StringTensor {
  const type = proto.dataType;
  const dtype = axonDType(type);
  if (dtype === undefined)
    throw new OnnxError(`${where}: element type ${onnxTypeName(type)} is not supported (Axon holds float, int, bool)`);
  if (proto.segment) throw new OnnxError(`${where}: segmented tensors are not supported`);
  const shape = checkedDims(proto.dims, where);
  const size = shape.reduce((a, b) => a * b, 1);
  if (dtype === 'string') {
    if (proto.stringData.length !== size)
      throw new OnnxError(
        `${where}: shape [${shape}] needs ${size} strings, the tensor has ${proto.stringData.length}`,
      );
    const decoder = new TextDecoder();
    return new StringTensor(
      proto.stringData.map((b) => decoder.decode(b)),
      shape,
    );
  }
  let raw: Uint8Array | undefined;
  if (proto.dataLocation === TensorProto_DataLocation.EXTERNAL) {
    if (!external) throw new OnnxError(`${where}: the tensor's data is in an external file, and no directory is known`);
    const entries = new Map(proto.externalData.map((e) => [e.key, e.value]));
    raw = external(entries, size * BYTES[type]!, where);
  } else if (proto.rawData.length > 0 || size === 0) raw = proto.rawData;
  if (raw) return fromRaw(raw, type, dtype, shape, size, where);
  return fromFields(proto, type, dtype, shape, size, where);
}

function fromRaw(raw: Uint8Array, type: number, dtype: DType, shape: number[], size: number, where: string): Tensor {
  const width = BYTES[type]!;
  if (raw.length !== size * width)
    throw new OnnxError(
      `${where}: shape [${shape.join(', ')}] of ${onnxTypeName(type)} needs ${size * width} bytes, the data has ${raw.length}`,
    );
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = allocArray(dtype, size, where);
  for (let i = 0; i < size; i++) {
    const o = i * width;
    switch (type) {
      case ONNX_TYPE.FLOAT:
        out[i] = view.getFloat32(o, true);
        break;
      case ONNX_TYPE.DOUBLE:
        out[i] = view.getFloat64(o, true);
        break;
      case ONNX_TYPE.FLOAT16:
        out[i] = halfToNumber(view.getUint16(o, true));
        break;
      case ONNX_TYPE.BFLOAT16:
        out[i] = bfloat16ToNumber(view.getUint16(o, true));
        break;
      case ONNX_TYPE.UINT8:
      case ONNX_TYPE.BOOL:
        out[i] = type === ONNX_TYPE.BOOL ? (view.getUint8(o) ? 1 : 0) : view.getUint8(o);
        break;
      case ONNX_TYPE.INT8:
        out[i] = view.getInt8(o);
        break;
      case ONNX_TYPE.UINT16:
        out[i] = view.getUint16(o, true);
        break;
      case ONNX_TYPE.INT16:
        out[i] = view.getInt16(o, true);
        break;
      case ONNX_TYPE.INT32:
        out[i] = view.getInt32(o, true);
        break;
      case ONNX_TYPE.UINT32:
        out[i] = narrowInt(BigInt(view.getUint32(o, true)), where);
        break;
      case ONNX_TYPE.INT64:
        out[i] = narrowInt(view.getBigInt64(o, true), where);
        break;
      case ONNX_TYPE.UINT64:
        out[i] = narrowInt(view.getBigUint64(o, true), where);
        break;
    }
  }
  return fromTypedArray(out, shape);
}

function fromFields(proto: TensorProto, type: number, dtype: DType, shape: number[], size: number, where: string) {
  let source: ArrayLike<number | bigint>;
  let convert: (v: number | bigint) => number = Number;
  switch (type) {
    case ONNX_TYPE.FLOAT:
      source = proto.floatData;
      break;
    case ONNX_TYPE.DOUBLE:
      source = proto.doubleData;
      break;
    case ONNX_TYPE.INT64:
      source = proto.int64Data;
      convert = (v) => narrowInt(BigInt(v), where);
      break;
    case ONNX_TYPE.UINT32:
    case ONNX_TYPE.UINT64:
      source = proto.uint64Data;
      convert = (v) => narrowInt(BigInt(v), where);
      break;
    case ONNX_TYPE.FLOAT16:
      source = proto.int32Data;
      convert = (v) => halfToNumber(Number(v));
      break;
    case ONNX_TYPE.BFLOAT16:
      source = proto.int32Data;
      convert = (v) => bfloat16ToNumber(Number(v));
      break;
    case ONNX_TYPE.BOOL:
      source = proto.int32Data;
      convert = (v) => (v ? 1 : 0);
      break;
    default:
      source = proto.int32Data;
  }
  if (source.length !== size)
    throw new OnnxError(
      `${where}: shape [${shape.join(', ')}] needs ${size} values, the tensor has ${source.length} (and no raw data)`,
    );
  const out = allocArray(dtype, size, where);
  for (let i = 0; i < size; i++) out[i] = convert(source[i]!);
  return fromTypedArray(out, shape);
}

/**
 * A TensorProto holding the tensor's values (raw little-endian data). int32 tensors are written
 * as INT64 when `int64` is set: ONNX wants 64-bit integers for shapes, indices and axes.
 */
export function tensorToProto(t: Tensor, name: string, options: { int64?: boolean } = {}): TensorProto {
  const values = t.contiguous().toTypedArray();
  const asInt64 = t.dtype === 'int32' && options.int64 === true;
  const type = asInt64 ? ONNX_TYPE.INT64 : onnxType(t.dtype);
  const width = BYTES[type]!;
  const raw = new Uint8Array(values.length * width);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (type === ONNX_TYPE.FLOAT) view.setFloat32(i * width, v, true);
    else if (type === ONNX_TYPE.DOUBLE) view.setFloat64(i * width, v, true);
    else if (type === ONNX_TYPE.INT64) view.setBigInt64(i * width, BigInt(v), true);
    else if (type === ONNX_TYPE.INT32) view.setInt32(i * width, v, true);
    else view.setUint8(i, v ? 1 : 0);
  }
  return create(TensorProtoSchema, {
    name,
    dataType: type,
    dims: t.shape.map((d) => BigInt(d)),
    rawData: raw,
  });
}
