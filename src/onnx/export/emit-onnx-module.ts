// An imported ONNX graph inside a model being exported (a fine-tuned feature extractor): its nodes
// are written again, renamed into the new graph, with the module's current weights.
import { clone } from '@bufbuild/protobuf';
import { Tensor } from '../../tensor/tensor.js';
import { OnnxModule } from '../module.js';
import { NodeProtoSchema } from '../proto/onnx_pb.js';
import type { GraphBuilder } from './builder.js';
import { CannotExport, type ModuleEmitter, tensorsIn } from './tracer.js';

export const emitOnnxModule: ModuleEmitter = (g: GraphBuilder, module, args, out) => {
  const m = module as OnnxModule;
  const view = m.exportView();
  for (const [domain, version] of view.opsets)
    if (domain === '' ? version !== g.opset : true)
      throw new CannotExport(
        `the imported graph uses opset ${version}${domain ? ` of ${domain}` : ''}; export with { opset: ${version} } (the ONNX domain only)`,
      );
  const names = new Map<string, string>();
  m.inputNames.forEach((name, i) => {
    const t = args[i];
    if (t instanceof Tensor) names.set(name, g.name(t));
  });
  const nameOf = (value: string): string => {
    if (value === '') return '';
    const known = names.get(value);
    if (known !== undefined) return known;
    const t = view.state.get(value) ?? view.known.get(value);
    if (!(t instanceof Tensor)) throw new CannotExport(`value '${value}' is not a numeric tensor`);
    const name = g.name(t);
    names.set(value, name);
    return name;
  };
  for (const node of view.nodes) {
    if (node.proto.attribute.some((a) => a.g || a.graphs.length > 0))
      throw new CannotExport(`${node.where} has a subgraph`);
    const input = node.inputs.map(nameOf);
    const output = node.outputs.map((o) => {
      if (o === '') return '';
      const name = g.fresh(o);
      names.set(o, name);
      return name;
    });
    const copy = clone(NodeProtoSchema, node.proto);
    copy.name = g.fresh(node.proto.name || node.proto.opType);
    copy.input = input;
    copy.output = output;
    g.nodes.push(copy);
  }
  const outs = tensorsIn(out);
  m.outputNames.forEach((name, i) => {
    if (outs[i]) g.node('Identity', [nameOf(name)], [outs[i]!]);
  });
};

export const ONNX_MODULE_EMITTERS: [object, ModuleEmitter][] = [[OnnxModule, emitOnnxModule]];
