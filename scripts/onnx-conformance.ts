// Runs ONNX's own operator test cases (model.onnx + test_data_set_*/input_*.pb, output_*.pb) through
// ax.onnx.load and prints pass / fail / unsupported per case, then the totals.
//   npm run onnx:conformance [-- DIR]   (default: test/fixtures/onnx-conformance)
import { fromBinary } from '@bufbuild/protobuf';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import { TensorProtoSchema } from '../src/onnx/proto/onnx_pb.js';
import { tensorFromProto } from '../src/onnx/tensor-proto.js';
import { StringTensor } from '../src/onnx/value.js';

export type Outcome = { status: 'pass' } | { status: 'fail' | 'unsupported'; reason: string };

function readTensor(path: string): ax.Tensor | StringTensor {
  return tensorFromProto(fromBinary(TensorProtoSchema, readFileSync(path)), path);
}

/** Every case directory (holding a model.onnx) under root, sorted. */
export function findCases(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (existsSync(join(dir, 'model.onnx'))) out.push(dir);
    else for (const e of readdirSync(dir).sort()) if (statSync(join(dir, e)).isDirectory()) walk(join(dir, e));
  };
  walk(root);
  return out;
}

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length)))
    .map((f) => join(dir, f));
}

/** Compares like ONNX's backend tests: |got − want| ≤ atol + rtol·|want|, NaN matching NaN. */
function compare(got: unknown, want: ax.Tensor | StringTensor, rtol: number, atol: number): string | undefined {
  if (want instanceof StringTensor) {
    if (!(got instanceof StringTensor)) return 'expected a string tensor';
    if (got.shape.join() !== want.shape.join()) return `shape [${got.shape}] ≠ [${want.shape}]`;
    const i = want.data.findIndex((s, k) => s !== got.data[k]);
    return i < 0 ? undefined : `string ${i}: '${got.data[i]}' ≠ '${want.data[i]}'`;
  }
  if (!(got instanceof ax.Tensor)) return `expected a tensor, got ${String(got)}`;
  if (got.shape.join() !== want.shape.join()) return `shape [${got.shape}] ≠ [${want.shape}]`;
  const g = got.contiguous().toTypedArray();
  const w = want.contiguous().toTypedArray();
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!;
    const b = w[i]!;
    if (Number.isNaN(b) ? !Number.isNaN(a) : !(Math.abs(a - b) <= atol + rtol * Math.abs(b)))
      return `element ${i}: ${a} ≠ ${b}`;
  }
  return undefined;
}

export function runCase(dir: string, rtol = 1e-3, atol = 1e-7): Outcome {
  let model: ax.onnx.OnnxModule;
  try {
    model = ax.onnx.load(join(dir, 'model.onnx'));
  } catch (e) {
    const message = (e as Error).message;
    if (e instanceof ax.OnnxError && /unsupported|not supported/.test(message))
      return { status: 'unsupported', reason: message };
    return { status: 'fail', reason: `load: ${(e as Error).name}: ${message}` };
  }
  const sets = readdirSync(dir)
    .filter((d) => d.startsWith('test_data_set_'))
    .sort();
  for (const set of sets) {
    const inputs = numbered(join(dir, set), 'input_').map(readTensor);
    const outputs = numbered(join(dir, set), 'output_').map(readTensor);
    let got: unknown[];
    try {
      model.eval();
      const result = model.forward(...inputs);
      got = model.outputNames.length === 1 ? [result] : (result as unknown[]);
    } catch (e) {
      const message = (e as Error).message;
      if (e instanceof ax.OnnxError && /not supported/.test(message)) return { status: 'unsupported', reason: message };
      return { status: 'fail', reason: `${set}: ${(e as Error).name}: ${message}` };
    }
    for (let k = 0; k < outputs.length; k++) {
      const problem = compare(got[k], outputs[k]!, rtol, atol);
      if (problem) return { status: 'fail', reason: `${set} output ${k}: ${problem}` };
    }
  }
  return { status: 'pass' };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? 'test/fixtures/onnx-conformance';
  const counts = { pass: 0, fail: 0, unsupported: 0 };
  for (const dir of findCases(root)) {
    const outcome = runCase(dir);
    counts[outcome.status]++;
    const name = dir.slice(root.length + 1);
    console.log(`${outcome.status.padEnd(11)} ${name}${outcome.status === 'pass' ? '' : `  — ${outcome.reason}`}`);
  }
  const total = counts.pass + counts.fail + counts.unsupported;
  console.log(`\n${counts.pass}/${total} pass, ${counts.fail} fail, ${counts.unsupported} unsupported`);
  process.exitCode = counts.fail > 0 ? 1 : 0;
}
