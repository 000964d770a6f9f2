import { fromBinary } from '@bufbuild/protobuf';
import { checkOptionNames, optionsArg, show } from '../check.js';
import { OnnxError, ValueError } from '../errors.js';
import { readFileFor } from '../io/files.js';
import { platform } from '../platform/platform.js';
import { compileGraph } from './graph.js';
import { OnnxModule, foldConstants } from './module.js';
import './ops/index.js';
import { domainKey } from './ops/registry.js';
import { type ModelProto, ModelProtoSchema } from './proto/onnx_pb.js';
import type { ExternalReader } from './tensor-proto.js';

export interface LoadOptions {
  /** Where external tensor data lives when the model is given as bytes (a path's own directory otherwise). */
  baseDir?: string;
}

/** Decodes a ModelProto; a file that is not one is a FormatError, never a crash. */
export function decodeModel(bytes: Uint8Array, where = 'onnx.load'): ModelProto {
  try {
    return fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new OnnxError(`${where}: not a valid ONNX model: ${(e as Error).message}`);
  }
}

/**
 * Loads an ONNX model (a path or the file's bytes) as a trainable `OnnxModule`. Every check runs
 * here, before anything is computed: unsupported ops (all listed), bad graphs, bad tensor data.
 */
export function load(source: string | Uint8Array, options: LoadOptions = {}): OnnxModule {
  const opts = optionsArg('onnx.load', options);
  checkOptionNames('onnx.load', opts, ['baseDir']);
  let bytes: Uint8Array;
  let baseDir = opts.baseDir;
  if (typeof source === 'string') {
    bytes = readFileFor('onnx.load', source);
    baseDir ??= platform().dirname(source);
  } else if (source instanceof Uint8Array) bytes = source;
  else throw new ValueError(`onnx.load: expected a path or a Uint8Array, got ${show(source)}`);
  if (baseDir !== undefined && typeof baseDir !== 'string')
    throw new ValueError(`onnx.load: baseDir must be a string, got ${show(baseDir)}`);
  return fromModel(decodeModel(bytes), baseDir === undefined ? undefined : platform().externalReader(baseDir));
}

export function fromModel(model: ModelProto, external?: ExternalReader): OnnxModule {
  if (!model.graph) throw new OnnxError('onnx.load: the model has no graph');
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport) {
    const domain = domainKey(o.domain);
    if (opsets.has(domain)) throw new OnnxError(`onnx.load: opset for domain '${o.domain}' is imported twice`);
    if (o.version < 1n || o.version > 1000n) throw new OnnxError(`onnx.load: opset version ${o.version} is not valid`);
    opsets.set(domain, Number(o.version));
  }
  // IR version 3 and older models may omit opset_import: they mean opset 1.
  if (!opsets.has('')) opsets.set('', 1);
  const graph = compileGraph(model.graph, opsets, external);
  const constants = foldConstants(graph, { training: false, opsets, external });
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps) metadata[p.key] = p.value;
  return new OnnxModule({
    graph,
    opsets,
    external,
    constants,
    info: {
      irVersion: Number(model.irVersion),
      producerName: model.producerName,
      producerVersion: model.producerVersion,
      opsets: Object.fromEntries(opsets),
      docString: model.docString,
      metadata,
    },
  });
}
