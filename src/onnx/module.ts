import { noGrad } from '../autograd/grad-mode.js';
import { isRecord, show } from '../check.js';
import { OnnxError, ShapeError, ValueError } from '../errors.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { Tensor } from '../tensor/tensor.js';
import { axonDType, onnxTypeName } from './dtypes.js';
import { type CompiledGraph, type CompiledNode, type Opsets, type ValueInfo, extraReads } from './graph.js';
import { type RunOptions, runNodes } from './interpreter.js';
import { RunMemory } from './release.js';
import type { ExternalReader } from './tensor-proto.js';
import { type Value, StringTensor, describeValue } from './value.js';

/** What the file says about itself. */
export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** Opset version per domain ('' is the default ONNX domain). */
  opsets: Record<string, number>;
  docString: string;
  metadata: Record<string, string>;
}

/** Holds the parameters under one dotted prefix, so `stateDict()` keys are the initializer names. */
class OnnxParameters extends Module {
  forward(): never {
    throw new OnnxError('the parameter groups of an OnnxModule are not callable');
  }
}

/** BatchNormalization's running statistics are state, not learnable: inputs 3 and 4. */
function statisticsOf(graph: CompiledGraph): Set<string> {
  const names = new Set<string>();
  for (const n of graph.nodes) if (n.proto.opType === 'BatchNormalization') names.add(n.inputs[3]!).add(n.inputs[4]!);
  return names;
}

interface Shared {
  graph: CompiledGraph;
  opsets: Opsets;
  external?: ExternalReader;
  info: OnnxModelInfo;
  /** Values computed once at load (constants and what depends only on them). */
  constants: Map<string, Value>;
}

/**
 * An ONNX graph as an Axon module. Float initializers are Parameters (trainable, in `parameters()`),
 * integer initializers and BatchNormalization statistics are buffers, all under their ONNX names in
 * `stateDict()`. `forward` runs the graph on Axon ops, so gradients flow through it.
 */
export class OnnxModule extends Module {
  readonly info: OnnxModelInfo;
  /** The graph inputs a caller feeds, in order. */
  readonly inputNames: string[];
  /** The values `forward` returns, in order. */
  readonly outputNames: string[];
  private readonly shared: Shared;
  /** Initializer name → the module's tensor for it (Parameter or buffer). */
  private readonly state = new Map<string, Tensor>();
  /** Initializer name → the module's stateDict key (the same unless the name does not nest). */
  private readonly keys = new Map<string, string>();
  private readonly nodes: CompiledNode[];

  /** @internal Use `ax.onnx.load`. */
  constructor(shared: Shared, outputs?: string[], state?: { tensors: Map<string, Tensor>; keys: Map<string, string> }) {
    super();
    this.shared = shared;
    this.info = shared.info;
    this.inputNames = shared.graph.inputs.map((i) => i.name);
    this.outputNames = outputs ?? shared.graph.outputs.map((o) => o.name);
    this.nodes = this.neededNodes();
    if (state) {
      // A truncated module holds only the tensors its nodes read: freeze() and optimizers see those.
      const read = new Set(this.nodes.flatMap((n) => [...n.inputs, ...extraReads(n.proto)]));
      for (const [name, t] of state.tensors) if (read.has(name)) this.addState(name, t, state.keys.get(name));
    } else {
      const statistics = statisticsOf(shared.graph);
      for (const [name, v] of shared.graph.initializers) {
        if (!(v instanceof Tensor) || shared.constants.has(name)) continue;
        const learnable = (v.dtype === 'float32' || v.dtype === 'float64') && !statistics.has(name);
        this.addState(name, learnable ? new Parameter(v) : v);
      }
    }
  }

  /** The nodes the chosen outputs depend on and that were not folded at load, in running order. */
  private neededNodes(): CompiledNode[] {
    const need = new Set(this.outputNames);
    const out: CompiledNode[] = [];
    const all = this.shared.graph.nodes;
    for (let i = all.length - 1; i >= 0; i--) {
      const n = all[i]!;
      if (!n.outputs.some((o) => need.has(o)) || n.outputs.every((o) => o === '' || this.shared.constants.has(o)))
        continue;
      out.push(n);
      for (const name of n.inputs) if (name) need.add(name);
      for (const name of extraReads(n.proto)) need.add(name);
    }
    return out.reverse();
  }

  /**
   * Registers a tensor under its dotted ONNX name: `layer1.0.conv1.weight` nests like PyTorch's, so
   * the stateDict key is the initializer's name. A name that cannot nest (empty parts, a part already
   * used by a tensor) is registered flat with '_' for '.'.
   */
  private addState(name: string, t: Tensor, key = name): void {
    const parts = key.split('.');
    const root: Module = this as Module;
    let owner: Module | undefined = parts.some((p) => p === '') ? undefined : root;
    for (const p of parts.slice(0, -1)) {
      if (!owner) break;
      const child = childNamed(owner, p);
      if (child instanceof OnnxParameters) owner = child;
      else if (child === undefined && !hasTensor(owner, p)) owner = owner.registerModule(p, new OnnxParameters());
      else owner = undefined;
    }
    let leaf = parts[parts.length - 1]!;
    if (!owner || childNamed(owner, leaf) || hasTensor(owner, leaf)) {
      owner = root;
      leaf = key.replace(/\./g, '_');
      while (childNamed(this, leaf) || hasTensor(this, leaf)) leaf += '_';
      key = leaf;
    }
    if (t instanceof Parameter) owner.registerParameter(leaf, t);
    else owner.registerBuffer(leaf, t);
    this.state.set(name, t);
    this.keys.set(name, key);
  }

  /** The stateDict key of an ONNX initializer. */
  stateKey(initializer: string): string {
    const k = this.keys.get(initializer);
    if (k === undefined) throw new ValueError(`OnnxModule.stateKey: no initializer named '${initializer}'`);
    return k;
  }

  /**
   * Runs the graph. Inputs by position (`model.forward(x)`) or by name (`model.forward({ input: x })`).
   * Returns the output tensor, or an array when the graph has several outputs.
   */
  // The result's type depends on the graph (a tensor, a string tensor, a sequence or several), so it is
  // Module.forward's `any`: a model with one tensor output is used like any layer.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(...args: unknown[]): any {
    const feeds = this.feedsOf(args);
    const outputs = this.runGraph(feeds, this.outputNames);
    const values = this.outputNames.map((n) => outputs[n]);
    return values.length === 1 ? values[0] : values;
  }

  /** Runs the graph and returns the named values (default: the outputs) by name, as onnxruntime does. */
  run(feeds: Record<string, unknown>, outputNames: string[] = this.outputNames): Record<string, Value> {
    if (!isRecord(feeds))
      throw new ValueError(`OnnxModule.run: expected an object of inputs by name, got ${show(feeds)}`);
    return this.runGraph(this.feedsOf([feeds]), outputNames);
  }

  private feedsOf(args: unknown[]): Map<string, Value> {
    const feeds = new Map<string, Value>();
    if (args.length === 1 && isRecord(args[0]) && !(args[0] instanceof Tensor) && !(args[0] instanceof StringTensor)) {
      for (const [name, v] of Object.entries(args[0])) {
        if (!this.inputNames.includes(name))
          throw new ValueError(`OnnxModule: no input named '${name}' (inputs: ${this.inputNames.join(', ')})`);
        feeds.set(name, v as Value);
      }
    } else {
      if (args.length > this.inputNames.length)
        throw new ValueError(`OnnxModule: ${args.length} inputs given, the graph takes ${this.inputNames.length}`);
      args.forEach((v, i) => feeds.set(this.inputNames[i]!, v as Value));
    }
    const sizes = new Map<string, number>();
    for (const info of this.shared.graph.inputs) {
      if (!feeds.has(info.name)) {
        if (this.nodes.some((n) => n.inputs.includes(info.name)))
          throw new ValueError(`OnnxModule: input '${info.name}' is missing (inputs: ${this.inputNames.join(', ')})`);
        continue;
      }
      checkInput(info, feeds.get(info.name), sizes);
    }
    return feeds;
  }

  private runGraph(feeds: Map<string, Value>, outputNames: string[]): Record<string, Value> {
    const scope = new Map<string, Value>([...this.shared.graph.initializers, ...this.shared.constants]);
    for (const [name, t] of this.state) scope.set(name, t);
    for (const [name, v] of feeds) scope.set(name, v);
    const options: RunOptions = { training: this.training, opsets: this.shared.opsets, external: this.shared.external };
    const keep = new Set(outputNames);
    runNodes(this.nodes, scope, options, keep, RunMemory.of(this.nodes, scope, keep));
    const out: Record<string, Value> = {};
    for (const name of outputNames) {
      if (!scope.has(name)) throw new ValueError(`OnnxModule: '${name}' is not a value of this graph`);
      out[name] = scope.get(name);
    }
    return out;
  }

  /**
   * A module that stops at the given intermediate values (e.g. the pooled features before the
   * classifier) and shares this one's parameters: a feature extractor for fine-tuning.
   */
  truncate(outputs: string | string[]): OnnxModule {
    const names = typeof outputs === 'string' ? [outputs] : outputs;
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string'))
      throw new ValueError(`OnnxModule.truncate: expected a value name or a list of them, got ${show(outputs)}`);
    const known = new Set([
      ...this.shared.graph.nodes.flatMap((n) => n.outputs),
      ...this.inputNames,
      ...this.shared.graph.initializers.keys(),
    ]);
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      const examples = this.shared.graph.nodes
        .slice(-5)
        .flatMap((n) => n.outputs)
        .join(', ');
      throw new ValueError(`OnnxModule.truncate: no value named ${unknown.join(', ')} (last values: ${examples})`);
    }
    const m = new OnnxModule(this.shared, names, { tensors: this.state, keys: this.keys });
    m.training = this.training;
    return m;
  }

  /**
   * @internal What ONNX export needs to write this module's graph again: the nodes that run per call,
   * the values known before (constants folded at load, the module's current tensors by initializer
   * name), and the opset per domain.
   */
  exportView(): {
    nodes: readonly CompiledNode[];
    known: ReadonlyMap<string, Value>;
    state: ReadonlyMap<string, Tensor>;
    opsets: Opsets;
  } {
    const known = new Map<string, Value>([...this.shared.graph.initializers, ...this.shared.constants]);
    return { nodes: this.nodes, known, state: this.state, opsets: this.shared.opsets };
  }

  /** The declared inputs (the ones a caller feeds) and outputs: element type and shape (a name for a symbolic size, null if unknown). */
  signature(): { inputs: ValueInfo[]; outputs: ValueInfo[] } {
    const outputs = this.outputNames.map(
      (name) => this.shared.graph.outputs.find((o) => o.name === name) ?? { name, elemType: 0, shape: undefined },
    );
    return { inputs: this.shared.graph.inputs.map((i) => ({ ...i })), outputs: outputs.map((o) => ({ ...o })) };
  }

  /** The names of every value the graph computes, in running order (to choose where to truncate). */
  valueNames(): string[] {
    return this.shared.graph.nodes.flatMap((n) => n.outputs.filter((o) => o !== ''));
  }

  override extraRepr(): string {
    const g = this.shared.graph;
    return `inputs=[${this.inputNames.join(', ')}], outputs=[${this.outputNames.join(', ')}], nodes=${this.nodes.length}${g.name ? `, graph='${g.name}'` : ''}`;
  }
}

function childNamed(owner: Module, name: string): Module | undefined {
  return [...owner.namedChildren()].find(([n]) => n === name)?.[1];
}

function hasTensor(owner: Module, name: string): boolean {
  return (
    [...owner.namedParameters('', false)].some(([n]) => n === name) ||
    [...owner.namedBuffers()].some(([n]) => n === name)
  );
}

/** A fed value against the declared input: kind, element type, rank, fixed sizes, symbolic sizes consistent. */
function checkInput(info: ValueInfo, v: Value, sizes: Map<string, number>): void {
  const where = `OnnxModule: input '${info.name}'`;
  if (info.elemType === 0) return;
  const want = axonDType(info.elemType);
  if (want === 'string') {
    if (!(v instanceof StringTensor))
      throw new ValueError(`${where} should be a string tensor, got ${describeValue(v)}`);
  } else {
    if (!(v instanceof Tensor)) throw new ValueError(`${where} should be a tensor, got ${describeValue(v)}`);
    if (want && v.dtype !== want && !(want === 'float32' && v.dtype === 'float64'))
      throw new ValueError(
        `${where} should be ${onnxTypeName(info.elemType)} (Axon ${want}), got ${v.dtype}; convert with .to('${want}')`,
      );
  }
  const shape = v instanceof Tensor || v instanceof StringTensor ? v.shape : [];
  if (!info.shape) return;
  if (shape.length !== info.shape.length)
    throw new ShapeError(
      `${where} should have shape [${info.shape.map(dimText).join(', ')}], got [${shape.join(', ')}]`,
    );
  info.shape.forEach((d, i) => {
    const got = shape[i]!;
    const bad =
      (typeof d === 'number' && d > 0 && d !== got) ||
      (typeof d === 'string' && d !== '' && sizes.has(d) && sizes.get(d) !== got);
    if (bad)
      throw new ShapeError(
        `${where} should have shape [${info.shape!.map(dimText).join(', ')}], got [${shape.join(', ')}] (dimension ${i})`,
      );
    if (typeof d === 'string' && d !== '') sizes.set(d, got);
  });
}

function dimText(d: number | string | null): string {
  return d === null ? '?' : String(d);
}

/** Runs, once, every node whose inputs are all known at load (constants, integer initializers). */
export function foldConstants(graph: CompiledGraph, options: RunOptions): Map<string, Value> {
  // Known at load: string initializers, integer initializers (shapes, indices), and what folds from them.
  // Float initializers are parameters or statistics, which training changes.
  const constants = new Map<string, Value>();
  for (const [name, v] of graph.initializers) if (!(v instanceof Tensor) || v.dtype === 'int32') constants.set(name, v);
  const known = (name: string) => name === '' || constants.has(name);
  const scope = new Map<string, Value>(graph.initializers);
  noGrad(() => {
    for (const node of graph.nodes) {
      if (!node.op.pure || !node.inputs.every(known) || extraReads(node.proto).length > 0) continue;
      runNodes([node], scope, options);
      for (const o of node.outputs) if (o !== '') constants.set(o, scope.get(o));
    }
  });
  // The initializers themselves stay with the module (as buffers): only computed values are returned.
  for (const name of graph.initializers.keys()) constants.delete(name);
  return constants;
}
