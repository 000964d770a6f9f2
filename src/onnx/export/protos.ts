// Small ONNX messages built from plain values: node attributes and value declarations.
import { create } from '@bufbuild/protobuf';
import { Tensor } from '../../tensor/tensor.js';
import { onnxType } from '../dtypes.js';
import {
  type AttributeProto,
  AttributeProtoSchema,
  AttributeProto_AttributeType as A,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from '../proto/onnx_pb.js';
import { tensorToProto } from '../tensor-proto.js';

/** An attribute value: an int, ints, a string, strings, a tensor, or `{ float }` / `{ floats }` (JS numbers are ints). */
export type AttributeValue = number | number[] | string | string[] | Tensor | { float: number } | { floats: number[] };

export function attribute(name: string, v: AttributeValue): AttributeProto {
  if (typeof v === 'number') return create(AttributeProtoSchema, { name, type: A.INT, i: BigInt(v) });
  if (typeof v === 'string')
    return create(AttributeProtoSchema, { name, type: A.STRING, s: new TextEncoder().encode(v) });
  if (v instanceof Tensor) return create(AttributeProtoSchema, { name, type: A.TENSOR, t: tensorToProto(v, name) });
  if ('float' in v) return create(AttributeProtoSchema, { name, type: A.FLOAT, f: v.float });
  if ('floats' in v) return create(AttributeProtoSchema, { name, type: A.FLOATS, floats: v.floats });
  if (v.length > 0 && v.every((x) => typeof x === 'string'))
    return create(AttributeProtoSchema, {
      name,
      type: A.STRINGS,
      strings: (v as string[]).map((s) => new TextEncoder().encode(s)),
    });
  return create(AttributeProtoSchema, { name, type: A.INTS, ints: (v as number[]).map((x) => BigInt(x)) });
}

/** A tensor value declaration: element type (an ONNX number or an Axon tensor's) and sizes or symbolic names. */
export function valueInfo(name: string, type: number | Tensor, dims?: (number | string)[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: 'tensorType',
        value: {
          elemType: typeof type === 'number' ? type : onnxType(type.dtype),
          shape: dims && {
            dim: dims.map((d) => ({
              value:
                typeof d === 'number'
                  ? { case: 'dimValue' as const, value: BigInt(d) }
                  : { case: 'dimParam' as const, value: d },
            })),
          },
        },
      },
    },
  });
}
