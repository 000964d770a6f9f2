// Weights for the committed ONNX graphs of test/fixtures/onnx-models/ (exported by
// scripts/gen_onnx_torchvision.py with their large tensors as external data): a fixed formula
// (an integer hash) writes `weights.bin`, so the repository holds only the graphs, and Axon and onnxruntime-node run
// the same numbers.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel } from '../../src/onnx/load.js';

/** A uniform number in [-1, 1) from (k, i): an integer hash, the same on every machine. */
function uniform(k: number, i: number): number {
  let h = Math.imul(i ^ Math.imul(k + 1, 0x9e3779b9), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 0) / 2 ** 32) * 2 - 1;
}

/**
 * Value i of the k-th external tensor: He-uniform for weights (bound √(6 / fan-in)), near 1 for
 * normalisation scales and variances, small for the rest.
 */
function value(k: number, i: number, dims: number[], role: 'scale' | 'variance' | 'other'): number {
  const u = uniform(k, i);
  if (role === 'scale') return 1 + 0.1 * u;
  if (role === 'variance') return 1 + 0.1 * u * u;
  if (dims.length < 2) return 0.05 * u;
  const fanIn = dims.slice(1).reduce((a, b) => a * b, 1);
  return Math.sqrt(6 / fanIn) * u;
}

/** Writes dir/weights.bin for dir/model.onnx (once; later calls reuse it). */
export function writeWeights(dir: string): void {
  const target = join(dir, 'weights.bin');
  if (existsSync(target)) return;
  const model = decodeModel(readFileSync(join(dir, 'model.onnx')));
  const roles = new Map<string, 'scale' | 'variance'>();
  for (const n of model.graph!.node) {
    if (n.opType === 'BatchNormalization') {
      roles.set(n.input[1]!, 'scale');
      roles.set(n.input[4]!, 'variance');
    }
    if (n.opType === 'LayerNormalization' || n.opType === 'InstanceNormalization') roles.set(n.input[1]!, 'scale');
  }
  const external = model.graph!.initializer.filter((t) => t.externalData.length > 0);
  let size = 0;
  for (const t of external) {
    const e = new Map(t.externalData.map((x) => [x.key, Number(x.value)]));
    size = Math.max(size, (e.get('offset') ?? 0) + (e.get('length') ?? 0));
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  external.forEach((t, k) => {
    if (t.dataType !== 1) throw new Error(`${t.name}: only float tensors are external here`);
    const e = new Map(t.externalData.map((x) => [x.key, Number(x.value)]));
    const offset = e.get('offset') ?? 0;
    const dims = t.dims.map(Number);
    const n = dims.reduce((a, b) => a * b, 1);
    const role = roles.get(t.name) ?? 'other';
    for (let i = 0; i < n; i++) view.setFloat32(offset + 4 * i, value(k, i, dims, role), true);
  });
  writeFileSync(target, bytes);
}
