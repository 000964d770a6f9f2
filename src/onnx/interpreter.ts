import { isGradEnabled } from '../autograd/grad-mode.js';
import { AxonError, OnnxError } from '../errors.js';
import { foldablePairs, foldedInputs } from './fold-batch-norm.js';
import { type CompiledGraph, type CompiledNode, type Opsets, compileGraph } from './graph.js';
import type { OpContext } from './ops/registry.js';
import type { GraphProto } from './proto/onnx_pb.js';
import type { ExternalReader } from './tensor-proto.js';
import type { RunMemory } from './release.js';
import type { Value } from './value.js';

export interface RunOptions {
  training: boolean;
  opsets: Opsets;
  external?: ExternalReader;
}

/**
 * Runs the nodes in order on Axon ops. `scope` holds the values already known (initializers or the
 * parameters standing for them, constants folded at load, the fed inputs); it receives every value computed.
 * `stopAfter` ends the run as soon as those names are known (a truncated model does not compute the rest).
 */
export function runNodes(
  nodes: readonly CompiledNode[],
  scope: Map<string, Value>,
  options: RunOptions,
  stopAfter?: ReadonlySet<string>,
  memory?: RunMemory | null,
): void {
  const missing = stopAfter ? new Set([...stopAfter].filter((n) => !scope.has(n))) : undefined;
  // Evaluation without gradients: a BatchNormalization after a convolution runs inside it.
  const pairs = !options.training && !isGradEnabled() ? foldablePairs(nodes) : undefined;
  let foldedAway: Set<number> | undefined;
  for (let i = 0; i < nodes.length; i++) {
    if (missing && missing.size === 0) return;
    const node = nodes[i]!;
    if (foldedAway?.has(i)) {
      memory?.afterNode(i, node, scope);
      continue;
    }
    const j = pairs?.get(i);
    const inputs =
      j !== undefined && !stopAfter?.has(node.outputs[0]!) ? foldedInputs(node, nodes[j]!, scope) : undefined;
    if (inputs) {
      // The BN's output, now; the convolution's own output never exists.
      const name = nodes[j!]!.outputs[0]!;
      scope.set(name, runNode(node, scope, options, nodes, inputs)[0]);
      missing?.delete(name);
      (foldedAway ??= new Set()).add(j!);
      memory?.afterNode(i, node, scope);
      continue;
    }
    const outputs = runNode(node, scope, options, nodes);
    node.outputs.forEach((name, k) => {
      if (name === '') return;
      if (k >= outputs.length) throw new OnnxError(`${node.where}: output ${k} ('${name}') is not computed`);
      scope.set(name, outputs[k]);
      missing?.delete(name);
    });
    memory?.afterNode(i, node, scope);
  }
}

/** Runs one node on its inputs from scope, or on `given` inputs in their place. */
export function runNode(
  node: CompiledNode,
  scope: ReadonlyMap<string, Value>,
  options: RunOptions,
  graphNodes: readonly CompiledNode[] = [],
  given?: readonly Value[],
): Value[] {
  const inputs =
    given ??
    node.inputs.map((name) => {
      if (name === '') return undefined;
      if (!scope.has(name)) throw new OnnxError(`${node.where}: input '${name}' has no value`);
      return scope.get(name);
    });
  const ctx: OpContext = {
    opType: node.proto.opType,
    where: node.where,
    opset: node.opset,
    attrs: node.attrs,
    inputs,
    outputCount: node.outputs.length,
    training: options.training,
    runSubgraph: (graph, values) => runSubgraph(graph, values, scope, options),
    recompute: (name, overrides) => recompute(graphNodes, name, overrides, scope, options),
  };
  try {
    const result = node.op.impl(ctx);
    return Array.isArray(result) ? result : [result];
  } catch (e) {
    // Axon's own errors gain the node's name; anything else is a bug in an op and stays as it is.
    if (e instanceof OnnxError || !(e instanceof AxonError)) throw e;
    const Ctor = e.constructor as new (m: string) => AxonError;
    throw new Ctor(`${node.where}: ${e.message}`);
  }
}

function runSubgraph(graph: GraphProto, inputs: Value[], outer: ReadonlyMap<string, Value>, options: RunOptions) {
  const compiled: CompiledGraph = compileGraph(graph, options.opsets, options.external, new Set(outer.keys()));
  if (inputs.length !== compiled.inputs.length)
    throw new OnnxError(`subgraph '${graph.name}': expects ${compiled.inputs.length} inputs, got ${inputs.length}`);
  const scope = new Map<string, Value>([...outer, ...compiled.initializers]);
  compiled.inputs.forEach((info, i) => scope.set(info.name, inputs[i]));
  runNodes(compiled.nodes, scope, options);
  return compiled.outputs.map((o) => scope.get(o.name));
}

/** Computes `name` again with some values replaced (the Gradient op differentiates through this). */
function recompute(
  nodes: readonly CompiledNode[],
  name: string,
  overrides: ReadonlyMap<string, Value>,
  scope: ReadonlyMap<string, Value>,
  options: RunOptions,
): Value {
  const need = new Set([name]);
  const chosen: CompiledNode[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.outputs.some((o) => need.has(o))) continue;
    chosen.push(n);
    for (const input of n.inputs) if (input && !overrides.has(input)) need.add(input);
  }
  const local = new Map<string, Value>([...scope, ...overrides]);
  for (const n of chosen) for (const o of n.outputs) local.delete(o);
  runNodes(chosen.reverse(), local, options);
  if (!local.has(name)) throw new OnnxError(`'${name}' cannot be recomputed from this graph`);
  return local.get(name);
}
