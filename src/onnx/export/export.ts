import { create, toBinary } from '@bufbuild/protobuf';
import { noGrad } from '../../autograd/grad-mode.js';
import { checkOptionNames, isRecord, optionsArg, show } from '../../check.js';
import { OnnxError, ValueError } from '../../errors.js';
import { writeFileAtomic } from '../../io/files.js';
import { platform } from '../../platform/platform.js';
import { Module } from '../../nn/module.js';
import { cat } from '../../ops/combine.js';
import { Tensor } from '../../tensor/tensor.js';
import { withTrace } from '../../trace-hook.js';
import { fromModel } from '../load.js';
import { OnnxModule } from '../module.js';
import {
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataLocation,
} from '../proto/onnx_pb.js';
import { type AttributeValue, attribute, valueInfo } from './protos.js';
import { GraphBuilder } from './builder.js';
import { MATH_ONNX } from './emit-math.js';
import { NN_ONNX } from './emit-nn.js';
import { SHAPE_ONNX } from './emit-shape.js';
import { ONNX_MODULE_EMITTERS } from './emit-onnx-module.js';
import { MODULE_ONNX } from './emit-rnn.js';
import { Tracer, tensorsIn } from './tracer.js';

export interface ExportOptions {
  /** The ONNX opset to write (default 18, as PyTorch; 17 to 20 are supported). */
  opset?: number;
  /** Names of the graph inputs (default input_0, input_1, ...). */
  inputNames?: string[];
  /** Names of the graph outputs (default output_0, ...). */
  outputNames?: string[];
  /** Dimensions that may change size, by input name: `{ x: { 0: 'batch' } }` or `{ x: [0] }`. */
  dynamicAxes?: Record<string, Record<number, string> | number[]>;
  /** Skip the check that the written graph reproduces the model (on by default). */
  verify?: boolean;
  /**
   * Write tensors of 1 KiB or more to `<path>.data` beside the model (ONNX external data) instead of
   * inside it. Needs a path; chosen automatically when the weights exceed 1.8 GB (a protobuf file holds at most 2 GB).
   */
  externalData?: boolean;
}

const OPS = { ...MATH_ONNX, ...SHAPE_ONNX, ...NN_ONNX };
const CREATORS = new Set(['zeros', 'ones', 'full', 'arange', 'causalMask']);
const MODULES = new Map([...MODULE_ONNX, ...ONNX_MODULE_EMITTERS]);

interface Trace {
  g: GraphBuilder;
  outputs: Tensor[];
  result: unknown;
}

function trace(model: Module, inputs: Tensor[], inputNames: string[], opset: number): Trace {
  const state = new Map<Tensor, string>();
  for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()]) if (!state.has(t)) state.set(t, name);
  const g = new GraphBuilder(opset, state);
  inputs.forEach((t, i) => g.input(t, inputNames[i]!));
  const tracer = new Tracer(g, OPS, CREATORS, MODULES);
  const result = withTrace(tracer, () => model.forward(...inputs));
  if (tracer.unsupported.length > 0)
    throw new OnnxError(
      `onnx.export: ${tracer.unsupported.length} call(s) have no ONNX form:\n  ${tracer.unsupported.join('\n  ')}`,
    );
  const outputs = tensorsIn(result);
  if (outputs.length === 0) throw new OnnxError(`onnx.export: the model returned no tensor (${show(result)})`);
  return { g, outputs, result };
}

/** Inputs with every dynamic axis one longer (the first slice repeated), for the second trace. */
function grown(inputs: Tensor[], dynamic: Map<number, Map<number, string>>): Tensor[] {
  return inputs.map((t, i) => {
    let out = t;
    const axes = dynamic.get(i);
    if (axes)
      for (const [axis, , k] of [...axes].map(([a, n], k) => [a, n, k] as const)) {
        const extra = k + 1;
        const pieces = [out, ...Array.from({ length: extra }, () => out.narrow(axis, 0, 1))];
        out = cat(pieces, axis);
      }
    return out;
  });
}

/**
 * Replaces each shape constant whose entries changed between the two traces with nodes that
 * compute it from the shape of a value that changed the same way (Shape → Gather → Concat). A
 * change nothing explains is an error: that size would be baked into the graph.
 */
function resolveShapes(a: GraphBuilder, b: GraphBuilder, nodes: NodeProto[]): NodeProto[] {
  const produced = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => produced.set(o, i)));
  const inserts = new Map<number, NodeProto[]>();
  const replaced = new Set<string>();
  const problems: string[] = [];
  let counter = 0;
  const mk = (
    opType: string,
    input: string[],
    attrs: Record<string, AttributeValue> = {},
    output?: string,
  ): [NodeProto, string] => {
    const name = `${opType.toLowerCase()}_dyn_${counter++}`;
    const out = output ?? name;
    const node = create(NodeProtoSchema, {
      opType,
      name,
      input,
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return [node, out];
  };
  a.shapeConstants.forEach((c, i) => {
    const other = b.shapeConstants[i]!;
    if (c.values.every((v, j) => v === other.values[j])) return;
    const consumer = nodes.findIndex((n) => n.input.includes(c.name));
    const before = (name: string) => (produced.get(name) ?? -1) < consumer;
    const candidates = [...a.valueShapes].filter(([name]) => before(name) && b.valueShapes.has(name));
    const made: NodeProto[] = [];
    const pieces: string[] = [];
    const shapeOf = new Map<string, string>();
    const dimOf = (name: string, d: number): string => {
      if (!shapeOf.has(name)) {
        const [n, s] = mk('Shape', [name]);
        made.push(n);
        shapeOf.set(name, s);
      }
      const [gather, out] = mk('Gather', [shapeOf.get(name)!, axisConst(made, d)], { axis: 0 });
      made.push(gather);
      return out;
    };
    const axisConst = (into: NodeProto[], d: number): string => {
      const [n, out] = mk('Constant', [], { value_ints: [d] });
      into.push(n);
      return out;
    };
    c.values.forEach((va, j) => {
      const vb = other.values[j]!;
      if (va === vb) {
        pieces.push(axisConst(made, va));
        return;
      }
      let found: string | undefined;
      for (const [name, shapeA] of candidates) {
        const shapeB = b.valueShapes.get(name)!;
        const d = shapeA.findIndex((s, k) => s === va && shapeB[k] === vb);
        if (d >= 0) {
          found = dimOf(name, d);
          break;
        }
        // A product of two of the value's dims (a folded batch × sequence).
        for (let p = 0; p < shapeA.length && !found; p++)
          for (let q = p + 1; q < shapeA.length && !found; q++)
            if (shapeA[p]! * shapeA[q]! === va && shapeB[p]! * shapeB[q]! === vb) {
              const [mul, out] = mk('Mul', [dimOf(name, p), dimOf(name, q)]);
              made.push(mul);
              found = out;
            }
        if (found) break;
      }
      if (!found) {
        problems.push(`'${c.name}' entry ${j} (${va}, then ${vb}) read by ${nodes[consumer]?.opType ?? '?'}`);
        return;
      }
      pieces.push(found);
    });
    made.push(mk('Concat', pieces, { axis: 0 }, c.name)[0]);
    replaced.add(c.name);
    inserts.set(consumer, [...(inserts.get(consumer) ?? []), ...made]);
  });
  if (problems.length > 0)
    throw new OnnxError(
      `onnx.export: sizes that follow a dynamic axis but come from no value's shape (they would be baked in): ${problems.join('; ')}`,
    );
  a.initializers.splice(0, a.initializers.length, ...a.initializers.filter((t) => !replaced.has(t.name)));
  return nodes.flatMap((n, i) => [...(inserts.get(i) ?? []), n]);
}

/** Nodes of the two traces must match one for one: the forward pass may not branch on a size. */
function compareTraces(a: GraphBuilder, b: GraphBuilder): void {
  const ops = (g: GraphBuilder) => g.nodes.map((n) => n.opType).join(' ');
  if (ops(a) !== ops(b))
    throw new OnnxError('onnx.export: the forward pass runs other ops when a dynamic axis changes size');
  a.nodes.forEach((n, i) => {
    const m = b.nodes[i]!;
    const attrs = (x: NodeProto) =>
      JSON.stringify(x.attribute.map((t) => [t.name, String(t.i), [...t.ints].map(String)]));
    if (attrs(n) !== attrs(m))
      throw new OnnxError(
        `onnx.export: ${n.opType} node '${n.name}' has attributes that follow a dynamic axis (its size would be baked in)`,
      );
  });
  const shapeNames = new Set(a.shapeConstants.map((c) => c.name));
  const bInit = new Map(b.initializers.map((t) => [t.name, t]));
  for (const t of a.initializers) {
    if (shapeNames.has(t.name)) continue;
    const u = bInit.get(t.name);
    const same = u && u.dims.join() === t.dims.join() && bytesEqual(u.rawData, t.rawData);
    if (!same)
      throw new OnnxError(
        `onnx.export: the constant '${t.name}' changes with a dynamic axis: it is computed in forward() from a size; build it from tensor ops on the input`,
      );
  }
}

/**
 * Exports a model to ONNX by tracing one forward pass on example inputs (in eval mode, without
 * gradients). Returns the model's bytes and writes them to `path` when given. Dynamic axes are found
 * by a second trace with those axes longer; sizes that follow them are computed from the inputs'
 * shapes, never baked in. The written graph is loaded back and run on both traces' inputs to check
 * it reproduces the model.
 */
export function exportModel(
  model: Module,
  exampleInputs: Tensor | Tensor[],
  path?: string | null,
  options: ExportOptions = {},
): Uint8Array {
  const opts = optionsArg('onnx.export', options);
  checkOptionNames('onnx.export', opts, [
    'opset',
    'inputNames',
    'outputNames',
    'dynamicAxes',
    'verify',
    'externalData',
  ]);
  if (!(model instanceof Module)) throw new ValueError(`onnx.export: expected an nn.Module, got ${show(model)}`);
  const inputs = exampleInputs instanceof Tensor ? [exampleInputs] : exampleInputs;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((t) => !(t instanceof Tensor)))
    throw new ValueError(`onnx.export: example inputs must be a tensor or a non-empty array of tensors`);
  // An imported graph inside the model is written again as it is: its opset decides the default.
  const imported = new Set<number>();
  for (const m of model.modules()) if (m instanceof OnnxModule) imported.add(m.exportView().opsets.get('') ?? 1);
  const opset = opts.opset ?? (imported.size === 1 && [...imported][0]! >= 17 ? [...imported][0]! : 18);
  if (!Number.isInteger(opset) || opset < 17 || opset > 20)
    throw new ValueError(`onnx.export: opset must be an integer from 17 to 20, got ${show(opset)}`);
  const inputNames = opts.inputNames ?? inputs.map((_, i) => `input_${i}`);
  if (
    !Array.isArray(inputNames) ||
    inputNames.length !== inputs.length ||
    new Set(inputNames).size !== inputNames.length
  )
    throw new ValueError(`onnx.export: inputNames must name each of the ${inputs.length} inputs once`);
  const dynamic = new Map<number, Map<number, string>>();
  for (const [name, axes] of Object.entries(opts.dynamicAxes ?? {})) {
    const i = inputNames.indexOf(name);
    if (i < 0)
      throw new ValueError(
        `onnx.export: dynamicAxes names '${name}', which is not an input (${inputNames.join(', ')})`,
      );
    const entries: [number, string][] = Array.isArray(axes)
      ? axes.map((a) => [a, `${name}_dim${a}`])
      : isRecord(axes)
        ? Object.entries(axes).map(([a, n]) => [Number(a), String(n)])
        : [];
    for (const [a] of entries)
      if (!Number.isInteger(a) || a < 0 || a >= inputs[i]!.ndim)
        throw new ValueError(
          `onnx.export: dynamic axis ${a} of '${name}' is not a dimension of its [${inputs[i]!.shape}]`,
        );
    dynamic.set(i, new Map(entries));
  }

  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const a = trace(model, inputs, inputNames, opset);
      const outputNames = opts.outputNames ?? a.outputs.map((_, i) => `output_${i}`);
      if (!Array.isArray(outputNames) || outputNames.length !== a.outputs.length)
        throw new ValueError(`onnx.export: outputNames must name each of the ${a.outputs.length} outputs`);
      let nodes = a.g.nodes;
      let bInputs: Tensor[] | undefined;
      let b: Trace | undefined;
      if (dynamic.size > 0) {
        bInputs = grown(inputs, dynamic);
        b = trace(model, bInputs, inputNames, opset);
        compareTraces(a.g, b.g);
        nodes = resolveShapes(a.g, b.g, nodes);
      }
      // Graph outputs under their names (Identity nodes keep the traced names free).
      const outputInfos = a.outputs.map((t, i) => {
        const name = outputNames[i]!;
        nodes.push(
          create(NodeProtoSchema, { opType: 'Identity', name: `output_${i}`, input: [a.g.name(t)], output: [name] }),
        );
        const dims = t.shape.map((d, k): number | string => {
          const other = b?.outputs[i]?.shape[k];
          if (other === undefined || other === d) return d;
          for (const [input, axes] of dynamic)
            for (const [axis, sym] of axes)
              if (inputs[input]!.shape[axis] === d && bInputs![input]!.shape[axis] === other) return sym;
          return `${name}_dim${k}`;
        });
        return valueInfo(name, t, dims);
      });
      const inputInfos = inputs.map((t, i) =>
        valueInfo(
          inputNames[i]!,
          t,
          t.shape.map((d, k) => dynamic.get(i)?.get(k) ?? d),
        ),
      );
      const modelProto: ModelProto = create(ModelProtoSchema, {
        irVersion: 8n,
        producerName: 'axon',
        producerVersion: '0.1.0',
        opsetImport: [{ domain: '', version: BigInt(opset) }],
        graph: {
          name: model.constructor.name,
          node: nodes,
          input: inputInfos,
          output: outputInfos,
          initializer: a.g.initializers,
        },
      });
      if (opts.verify !== false) {
        verify(modelProto, model, inputs, a.outputs);
        if (b && bInputs) verify(modelProto, model, bInputs, b.outputs);
      }
      if (path !== undefined && path !== null && typeof path !== 'string')
        throw new ValueError(`onnx.export: path must be a string, got ${show(path)}`);
      const weightBytes = modelProto.graph!.initializer.reduce((a, t) => a + t.rawData.length, 0);
      if (opts.externalData ?? weightBytes > 1.8e9) {
        if (!path) throw new ValueError('onnx.export: externalData needs a path to write the data beside');
        writeFileAtomic(`${path}.data`, externalize(modelProto, `${platform().basename(path)}.data`), 'onnx.export');
      }
      const bytes = toBinary(ModelProtoSchema, modelProto);
      if (path) writeFileAtomic(path, bytes, 'onnx.export');
      return bytes;
    });
  } finally {
    model.train(wasTraining);
  }
}

/** Runs the written graph with Axon's importer and compares with what the model computed. */
function verify(proto: ModelProto, model: Module, inputs: Tensor[], expected: Tensor[]): void {
  let got: Tensor[];
  try {
    const imported = fromModel(proto).eval();
    const out = imported.forward(...inputs);
    got = tensorsIn(out);
  } catch (e) {
    throw new OnnxError(`onnx.export: the written graph does not run: ${(e as Error).message}`);
  }
  expected.forEach((want, i) => {
    const have = got[i];
    if (!have || have.shape.join() !== want.shape.join())
      throw new OnnxError(
        `onnx.export: output ${i} of the written graph has shape [${have?.shape}], the model's is [${want.shape}]`,
      );
    const x = have.contiguous().toTypedArray();
    const y = want.contiguous().toTypedArray();
    for (let k = 0; k < y.length; k++) {
      const d = Math.abs(x[k]! - y[k]!);
      if (d > 1e-4 * (1 + Math.abs(y[k]!)) && !(Number.isNaN(x[k]!) && Number.isNaN(y[k]!)))
        throw new OnnxError(
          `onnx.export: output ${i} of the written graph differs from ${model.constructor.name}'s at element ${k} (${x[k]} vs ${y[k]}): an op was recorded wrongly or a value was baked in`,
        );
    }
  });
}

/** Moves every initializer of 1 KiB or more out of the model; returns the chunks of the data file. */
function externalize(model: ModelProto, location: string): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of model.graph!.initializer) {
    if (t.rawData.length < 1024) continue;
    chunks.push(t.rawData);
    t.externalData = [
      create(StringStringEntryProtoSchema, { key: 'location', value: location }),
      create(StringStringEntryProtoSchema, { key: 'offset', value: String(offset) }),
      create(StringStringEntryProtoSchema, { key: 'length', value: String(t.rawData.length) }),
    ];
    t.dataLocation = TensorProto_DataLocation.EXTERNAL;
    offset += t.rawData.length;
    t.rawData = new Uint8Array(0);
  }
  return chunks;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
