import * as B from '../ops/binary.js';
import { reshape } from '../ops/views.js';
import { Tensor } from '../tensor/tensor.js';
import { type CompiledNode, extraReads } from './graph.js';
import type { Value } from './value.js';

/**
 * Inference-time folding of a BatchNormalization into the convolution it follows: in evaluation
 * mode the normalisation is a per-channel affine map, so conv → BN equals one convolution with
 * weights w·s and bias (b − mean)·s + β, where s = γ / √(var + ε). That saves a pass over the
 * activations (BN was 8.7 % of a CNN's batch-32 inference). Only when nothing can tell the
 * difference: evaluation mode without gradients (the caller checks), the convolution's output read
 * by the BN alone and not asked for, every BN operand a float32 tensor of one value per channel.
 *
 * An OnnxModule is trainable, so the folded weights are a cache: each pair keeps the tensors it
 * was folded from and their versions (in-place writes and optimizer steps bump them), and folds
 * again when any of them changed or was replaced (loadStateDict).
 */

/** For a node list: the index of each foldable convolution → the index of its BatchNormalization. */
const plans = new WeakMap<readonly CompiledNode[], ReadonlyMap<number, number>>();

export function foldablePairs(nodes: readonly CompiledNode[]): ReadonlyMap<number, number> {
  let plan = plans.get(nodes);
  if (plan) return plan;
  const readers = new Map<string, number>();
  const count = (name: string) => readers.set(name, (readers.get(name) ?? 0) + 1);
  for (const n of nodes) {
    for (const name of n.inputs) if (name) count(name);
    for (const name of extraReads(n.proto)) count(name);
  }
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const pairs = new Map<number, number>();
  nodes.forEach((bn, j) => {
    if (bn.proto.opType !== 'BatchNormalization' || !isDefaultDomain(bn)) return;
    if (bn.outputs.slice(1).some((o) => o !== '') || bn.inputs.slice(1, 5).some((name) => !name)) return;
    if (bn.opset >= 14 && bn.attrs.int('training_mode', 0) !== 0) return;
    const i = producer.get(bn.inputs[0]!);
    if (i === undefined) return;
    const conv = nodes[i]!;
    if (conv.proto.opType !== 'Conv' || !isDefaultDomain(conv) || conv.outputs.length !== 1) return;
    if (readers.get(conv.outputs[0]!) !== 1) return;
    pairs.set(i, j);
  });
  plan = pairs;
  plans.set(nodes, plan);
  return plan;
}

function isDefaultDomain(n: CompiledNode): boolean {
  return n.proto.domain === '' || n.proto.domain === 'ai.onnx';
}

interface Folded {
  sources: Tensor[];
  versions: number[];
  weight: Tensor;
  bias: Tensor;
}

const folded = new WeakMap<CompiledNode, Folded>();

/**
 * The convolution's inputs with the BN folded in ([x, weight, bias]), or undefined when the
 * operands are not what folding needs (the ordinary path then runs, and reports any error).
 */
export function foldedInputs(
  conv: CompiledNode,
  bn: CompiledNode,
  scope: ReadonlyMap<string, Value>,
): [Value, Tensor, Tensor] | undefined {
  const get = (name: string | undefined): Tensor | undefined => {
    const v = name ? scope.get(name) : undefined;
    return v instanceof Tensor && v.dtype === 'float32' ? v : undefined;
  };
  if (!scope.has(conv.inputs[0]!)) return undefined;
  const weight = get(conv.inputs[1]);
  const norm = bn.inputs.slice(1, 5).map(get);
  const bias = conv.inputs[2] ? get(conv.inputs[2]) : null;
  if (!weight || weight.ndim < 3 || bias === undefined || norm.some((t) => !t)) return undefined;
  const channels = weight.shape[0]!;
  const operands = [...(norm as Tensor[]), ...(bias ? [bias] : [])];
  if (operands.some((t) => t.ndim !== 1 || t.shape[0] !== channels)) return undefined;
  const sources = [weight, ...operands];
  let f = folded.get(conv);
  if (
    !f ||
    f.sources.length !== sources.length ||
    sources.some((t, k) => t !== f!.sources[k] || t.version !== f!.versions[k])
  ) {
    const [gamma, beta, mean, variance] = norm as Tensor[];
    const eps = bn.attrs.float('epsilon', 1e-5);
    const s = B.div(gamma!, variance!.add(eps).sqrt());
    const perChannel = [channels, ...new Array<number>(weight.ndim - 1).fill(1)];
    f = {
      sources,
      versions: sources.map((t) => t.version),
      weight: B.mul(weight, reshape(s, perChannel)).contiguous(),
      bias: B.add(B.mul(bias ? B.sub(bias, mean!) : mean!.neg(), s), beta!),
    };
    folded.set(conv, f);
  }
  return [scope.get(conv.inputs[0]!), f.weight, f.bias];
}
