import { create } from '@bufbuild/protobuf';
import { fromTypedArray } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { attribute, type AttributeValue } from './protos.js';
import { type NodeProto, NodeProtoSchema, type TensorProto } from '../proto/onnx_pb.js';
import { tensorToProto } from '../tensor-proto.js';

/** An int64 vector a node takes as an input that is a size (Reshape's shape, Slice's ends, ...). */
export interface ShapeConstant {
  /** The initializer's name. */
  name: string;
  values: number[];
}

/**
 * Collects the nodes and initializers of one traced forward pass. Values are named by tensor
 * identity: graph inputs, parameters and buffers (by their stateDict names), node outputs, and
 * constants made on the way.
 */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  /** Int vectors that say a size: the export checks that none of them follows a dynamic dimension unnoticed. */
  readonly shapeConstants: ShapeConstant[] = [];
  /** Every value computed from the inputs, with the shape it had in this trace. */
  readonly valueShapes = new Map<string, number[]>();
  private readonly names = new Map<Tensor, string>();
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(
    readonly opset: number,
    /** The model's parameters and buffers by stateDict name. */
    private readonly state: Map<Tensor, string>,
  ) {}

  /** A name not used yet, from a readable stem. */
  fresh(stem: string): string {
    let name = stem;
    while (this.used.has(name)) name = `${stem}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Declares a graph input. */
  input(t: Tensor, name: string): void {
    this.used.add(name);
    this.names.set(t, name);
    this.valueShapes.set(name, [...t.shape]);
  }

  /** Whether the tensor is a traced value (computed from the inputs) — the trace's "known" values. */
  isTraced(t: Tensor): boolean {
    return this.names.has(t);
  }

  isState(t: Tensor): boolean {
    return this.stateName(t) !== undefined;
  }

  private stateName(t: Tensor): string | undefined {
    const direct = this.state.get(t);
    if (direct !== undefined) return direct;
    // A parameter seen through a detached or plain view of itself (same storage, same layout).
    for (const [p, name] of this.state)
      if (
        p.storage === t.storage &&
        p.offset === t.offset &&
        p.shape.join() === t.shape.join() &&
        p.strides.join() === t.strides.join()
      )
        return name;
    return undefined;
  }

  /** The value name of a tensor: traced, a parameter or buffer (an initializer), or a new constant. */
  name(t: Tensor): string {
    const known = this.names.get(t);
    if (known !== undefined) return known;
    const state = this.stateName(t);
    const name = state ?? this.fresh('const');
    this.used.add(name);
    if (!this.initializers.some((i) => i.name === name)) this.initializers.push(tensorToProto(t, name));
    this.names.set(t, name);
    return name;
  }

  /** Names a traced output tensor (or gives it the given name). */
  define(t: Tensor, stem = 'v'): string {
    const name = this.fresh(stem);
    this.names.set(t, name);
    this.valueShapes.set(name, [...t.shape]);
    return name;
  }

  /** An int64 vector input that holds sizes; checked against dynamic dimensions at the end. */
  ints(values: readonly number[], stem = 'shape'): string {
    const name = this.fresh(stem);
    this.initializers.push(tensorToProto(fromTypedArray(Int32Array.from(values)), name, { int64: true }));
    this.shapeConstants.push({ name, values: [...values] });
    return name;
  }

  /** An int64 vector of axes or other fixed integers (never a size). */
  axes(values: readonly number[]): string {
    const name = this.fresh('axes');
    this.initializers.push(tensorToProto(fromTypedArray(Int32Array.from(values)), name, { int64: true }));
    return name;
  }

  /** A 0-d int64 constant (a Gather index, a Trilu offset). */
  index(value: number): string {
    const name = this.fresh('index');
    this.initializers.push(tensorToProto(fromTypedArray(Int32Array.of(value), []), name, { int64: true }));
    return name;
  }

  /** A size as a 0-d int64 value (Range's limit): a shape constant squeezed, so it can follow an input. */
  size(value: number): string {
    const [out] = this.node('Squeeze', [this.ints([value], 'size'), this.axes([0])], ['n']);
    return out!;
  }

  /** A scalar constant of the given tensor's dtype (for `x + 1`). */
  scalar(value: number, like: { dtype: DType }): string {
    const name = this.fresh('scalar');
    const t =
      like.dtype === 'float64'
        ? Float64Array.of(value)
        : like.dtype === 'int32'
          ? Int32Array.of(value)
          : Float32Array.of(value);
    this.initializers.push(tensorToProto(fromTypedArray(t, []), name));
    return name;
  }

  /** Adds a node; outputs are tensors to name, or names made here (returned). */
  node(
    opType: string,
    inputs: (string | Tensor | undefined)[],
    outputs: (Tensor | string)[],
    attrs: Record<string, AttributeValue | undefined> = {},
    domain = '',
  ): [string, ...string[]] {
    const inNames = inputs.map((i) => (i === undefined ? '' : typeof i === 'string' ? i : this.name(i)));
    const outNames = outputs.map((o) => (typeof o === 'string' ? this.fresh(o) : this.define(o, opType.toLowerCase())));
    this.nodes.push(
      create(NodeProtoSchema, {
        opType,
        domain,
        name: this.fresh(`${opType}_${this.nodes.length}`),
        input: inNames,
        output: outNames,
        attribute: Object.entries(attrs)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => attribute(k, v!)),
      }),
    );
    return outNames as [string, ...string[]];
  }
}
