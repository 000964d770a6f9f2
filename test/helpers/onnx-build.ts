// Builds small ONNX models in tests (valid ones, and broken ones on purpose).
import { create, toBinary } from '@bufbuild/protobuf';
import * as ax from '../../src/index.js';
import { type AttributeValue, attribute, valueInfo } from '../../src/onnx/export/protos.js';
import {
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  type TensorProto,
  type ValueInfoProto,
} from '../../src/onnx/proto/onnx_pb.js';
import { tensorToProto } from '../../src/onnx/tensor-proto.js';

type AttrValue = AttributeValue;

export const attr = attribute;

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue> = {},
  name = '',
): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input: inputs,
    output: outputs,
    name,
    attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
  });
}

/** A tensor value declaration; dims are sizes or symbolic names. */
export function info(name: string, elemType = 1, dims?: (number | string)[]): ValueInfoProto {
  return valueInfo(name, elemType, dims);
}

export interface ModelSpec {
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  opset?: number;
}

export function model(spec: ModelSpec) {
  return create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: 'axon-test',
    opsetImport: [{ domain: '', version: BigInt(spec.opset ?? 17) }],
    graph: {
      name: 'test',
      node: spec.nodes,
      input: spec.inputs,
      output: spec.outputs,
      initializer: spec.initializers ?? [],
    },
  });
}

export function modelBytes(spec: ModelSpec): Uint8Array {
  return toBinary(ModelProtoSchema, model(spec));
}

/** An initializer from a tensor (int32 tensors written as INT64, as exporters do). */
export function init(name: string, t: ax.Tensor): TensorProto {
  return tensorToProto(t, name, { int64: true });
}

/** A two-layer MLP: x [batch, 4] → Gemm(fc1) → Relu → Gemm(fc2) → y [batch, 3]. */
export function mlpSpec(): ModelSpec {
  ax.manualSeed(3);
  return {
    nodes: [
      node('Gemm', ['x', 'fc1.weight', 'fc1.bias'], ['h'], { transB: 1 }, 'fc1'),
      node('Relu', ['h'], ['a'], {}, 'act'),
      node('Gemm', ['a', 'fc2.weight', 'fc2.bias'], ['y'], { transB: 1 }, 'fc2'),
    ],
    inputs: [info('x', 1, ['batch', 4])],
    outputs: [info('y', 1, ['batch', 3])],
    initializers: [
      init('fc1.weight', ax.randn([8, 4])),
      init('fc1.bias', ax.randn([8])),
      init('fc2.weight', ax.randn([3, 8])),
      init('fc2.bias', ax.randn([3])),
    ],
  };
}
