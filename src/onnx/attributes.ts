import { OnnxError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type AttributeProto, AttributeProto_AttributeType as A, type GraphProto } from './proto/onnx_pb.js';
import { narrowInt, tensorFromProto } from './tensor-proto.js';
import type { StringTensor } from './value.js';

const TYPE_NAMES: Record<number, string> = {
  [A.FLOAT]: 'float',
  [A.INT]: 'int',
  [A.STRING]: 'string',
  [A.TENSOR]: 'tensor',
  [A.GRAPH]: 'graph',
  [A.FLOATS]: 'floats',
  [A.INTS]: 'ints',
  [A.STRINGS]: 'strings',
  [A.TENSORS]: 'tensors',
  [A.GRAPHS]: 'graphs',
};

/** A node's attributes, read with their declared type checked and a default where ONNX gives one. */
export class Attributes {
  private readonly byName = new Map<string, AttributeProto>();

  constructor(
    attrs: readonly AttributeProto[],
    private readonly where: string,
  ) {
    for (const a of attrs) {
      if (this.byName.has(a.name)) throw new OnnxError(`${where}: attribute '${a.name}' is given twice`);
      if (a.refAttrName) throw new OnnxError(`${where}: attribute '${a.name}' refers to a function attribute`);
      this.byName.set(a.name, a);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  private get(name: string, type: A): AttributeProto | undefined {
    const a = this.byName.get(name);
    if (a && a.type !== type && a.type !== A.UNDEFINED)
      throw new OnnxError(
        `${this.where}: attribute '${name}' should be ${TYPE_NAMES[type]}, the file says ${TYPE_NAMES[a.type] ?? a.type}`,
      );
    return a;
  }

  private required<T>(name: string, value: T | undefined): T {
    if (value === undefined) throw new OnnxError(`${this.where}: attribute '${name}' is required`);
    return value;
  }

  int(name: string, fallback?: number): number {
    const a = this.get(name, A.INT);
    return this.required(name, a ? narrowInt(a.i, `${this.where}: attribute '${name}'`) : fallback);
  }

  float(name: string, fallback?: number): number {
    const a = this.get(name, A.FLOAT);
    return this.required(name, a ? a.f : fallback);
  }

  string(name: string, fallback?: string): string {
    const a = this.get(name, A.STRING);
    return this.required(name, a ? new TextDecoder().decode(a.s) : fallback);
  }

  ints(name: string, fallback?: number[]): number[] {
    const a = this.get(name, A.INTS);
    return this.required(name, a ? a.ints.map((v) => narrowInt(v, `${this.where}: attribute '${name}'`)) : fallback);
  }

  floats(name: string, fallback?: number[]): number[] {
    const a = this.get(name, A.FLOATS);
    return this.required(name, a ? [...a.floats] : fallback);
  }

  strings(name: string, fallback?: string[]): string[] {
    const a = this.get(name, A.STRINGS);
    const decoder = new TextDecoder();
    return this.required(name, a ? a.strings.map((s) => decoder.decode(s)) : fallback);
  }

  tensor(name: string): Tensor | StringTensor | undefined {
    const a = this.get(name, A.TENSOR);
    if (!a) return undefined;
    if (!a.t) throw new OnnxError(`${this.where}: attribute '${name}' holds no tensor`);
    return tensorFromProto(a.t, `${this.where}: attribute '${name}'`);
  }

  graph(name: string): GraphProto | undefined {
    const a = this.get(name, A.GRAPH);
    return a?.g;
  }
}
