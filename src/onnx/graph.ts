import { OnnxError } from '../errors.js';
import { Attributes } from './attributes.js';
import { onnxTypeName } from './dtypes.js';
import { type OpDef, domainKey, lookupOp } from './ops/registry.js';
import type { GraphProto, NodeProto, ValueInfoProto } from './proto/onnx_pb.js';
import { type ExternalReader, tensorFromProto } from './tensor-proto.js';
import type { Value } from './value.js';

/** A graph input or output as the file declares it: element type and shape (numbers or symbolic names). */
export interface ValueInfo {
  name: string;
  /** The ONNX element type number (0 when not a tensor or not given). */
  elemType: number;
  /** undefined when the file gives no shape; a string for a symbolic dimension, null for an unknown one. */
  shape: (number | string | null)[] | undefined;
}

export interface CompiledNode {
  readonly proto: NodeProto;
  readonly op: OpDef;
  readonly opset: number;
  readonly attrs: Attributes;
  readonly where: string;
  /** Input names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface CompiledGraph {
  readonly name: string;
  /** Inputs the caller feeds (graph inputs that are not initializers). */
  readonly inputs: ValueInfo[];
  readonly outputs: ValueInfo[];
  readonly initializers: Map<string, Value>;
  /** In an order where every node comes after the nodes it reads from. */
  readonly nodes: CompiledNode[];
}

export type Opsets = ReadonlyMap<string, number>;

function valueInfo(v: ValueInfoProto): ValueInfo {
  const t = v.type?.value.case === 'tensorType' ? v.type.value.value : undefined;
  return {
    name: v.name,
    elemType: t?.elemType ?? 0,
    shape: t?.shape?.dim.map((d) =>
      d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null,
    ),
  };
}

export function describeNode(node: NodeProto, index: number): string {
  return `${node.opType} node ${node.name ? `'${node.name}'` : `#${index}`}`;
}

/**
 * Checks a graph and puts it in running order: every op supported (all unsupported ones listed at
 * once), names unique, every value read produced by someone, no cycles, initializers well formed.
 * `outer` holds names visible from an enclosing graph (for If/Loop bodies).
 */
export function compileGraph(
  graph: GraphProto,
  opsets: Opsets,
  external?: ExternalReader,
  outer: ReadonlySet<string> = new Set(),
): CompiledGraph {
  const gname = graph.name ? `graph '${graph.name}'` : 'graph';
  const initializers = new Map<string, Value>();
  for (const t of graph.initializer) {
    if (!t.name) throw new OnnxError(`${gname}: an initializer has no name`);
    if (initializers.has(t.name)) throw new OnnxError(`${gname}: initializer '${t.name}' is defined twice`);
    initializers.set(t.name, tensorFromProto(t, `initializer '${t.name}'`, external));
  }
  if (graph.sparseInitializer.length > 0) throw new OnnxError(`${gname}: sparse initializers are not supported`);

  const produced = new Set<string>([...outer, ...initializers.keys()]);
  const inputs: ValueInfo[] = [];
  const seenInputs = new Set<string>();
  for (const i of graph.input) {
    if (!i.name) throw new OnnxError(`${gname}: a graph input has no name`);
    if (seenInputs.has(i.name)) throw new OnnxError(`${gname}: input '${i.name}' is declared twice`);
    seenInputs.add(i.name);
    if (initializers.has(i.name)) continue; // an initializer listed as an input (IR < 4): a default value
    inputs.push(valueInfo(i));
    produced.add(i.name);
  }

  // Producers: each value has at most one (SSA).
  const producer = new Map<string, number>();
  const unsupported: string[] = [];
  const compiled: CompiledNode[] = graph.node.map((node, index) => {
    const where = describeNode(node, index);
    const domain = domainKey(node.domain);
    const opset = opsets.get(domain);
    if (opset === undefined)
      throw new OnnxError(`${where}: the model imports no opset for domain '${node.domain || 'ai.onnx'}'`);
    const op = lookupOp(domain, node.opType);
    if (!op || opset < op.since)
      unsupported.push(`${domain ? `${domain}.` : ''}${node.opType} (opset ${opset}, ${where})`);
    for (const out of node.output) {
      if (out === '') continue;
      if (producer.has(out) || initializers.has(out) || seenInputs.has(out))
        throw new OnnxError(`${where}: output '${out}' is already defined elsewhere in the graph`);
      producer.set(out, index);
    }
    return {
      proto: node,
      op: op!,
      opset,
      attrs: new Attributes(node.attribute, where),
      where,
      inputs: node.input,
      outputs: node.output,
    };
  });
  if (unsupported.length > 0)
    throw new OnnxError(`unsupported ONNX ops (${unsupported.length}): ${unsupported.join('; ')}`);

  // Kahn's algorithm over the node → node edges: finds the order and any cycle.
  const readers: number[][] = compiled.map(() => []);
  const pending = compiled.map(() => 0);
  compiled.forEach((node, index) => {
    for (const name of [...node.inputs, ...extraReads(node.proto)]) {
      if (name === '') continue;
      const from = producer.get(name);
      if (from !== undefined) {
        readers[from]!.push(index);
        pending[index]!++;
      } else if (!produced.has(name)) {
        throw new OnnxError(`${node.where}: reads '${name}', which no node, input or initializer produces`);
      }
    }
  });
  const order: CompiledNode[] = [];
  const ready = compiled.map((_, i) => i).filter((i) => pending[i] === 0);
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(compiled[i]!);
    for (const r of readers[i]!) if (--pending[r]! === 0) ready.push(r);
  }
  if (order.length < compiled.length) {
    const stuck = compiled.filter((_, i) => pending[i]! > 0).map((n) => n.where);
    throw new OnnxError(`${gname}: the graph has a cycle through ${stuck.slice(0, 5).join(', ')}`);
  }

  const outputs = graph.output.map(valueInfo);
  for (const o of outputs)
    if (!producer.has(o.name) && !produced.has(o.name))
      throw new OnnxError(`${gname}: output '${o.name}' is produced by no node, input or initializer`);
  for (const i of inputs)
    if (i.elemType && !onnxTypeName(i.elemType)) throw new OnnxError(`${gname}: input '${i.name}' has a bad type`);
  return { name: graph.name, inputs, outputs, initializers, nodes: order };
}

/**
 * Values a node reads besides its inputs: what its subgraphs take from the enclosing scope, and the
 * value a Gradient node differentiates. The node must run after them.
 */
export function extraReads(node: NodeProto): string[] {
  const names: string[] = [];
  if (node.opType === 'Gradient') {
    const y = node.attribute.find((a) => a.name === 'y');
    if (y) names.push(new TextDecoder().decode(y.s));
  }
  for (const a of node.attribute) {
    for (const g of [...(a.g ? [a.g] : []), ...a.graphs]) {
      const local = new Set<string>([
        ...g.input.map((i) => i.name),
        ...g.initializer.map((i) => i.name),
        ...g.node.flatMap((n) => n.output),
      ]);
      for (const n of g.node) for (const i of n.input) if (i && !local.has(i)) names.push(i);
    }
  }
  return names;
}
