import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import { main } from '../src/cli.js';
import build from './helpers/export-model.js';

const MODULE = fileURLToPath(new URL('./helpers/export-model.ts', import.meta.url));

/** Runs the CLI in this process; resolves to its exit code and what it printed. */
async function axon(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const [log, error, write] = [console.log, console.error, process.stderr.write];
  let out = '',
    err = '';
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  console.error = (...a: unknown[]) => void (err += `${a.join(' ')}\n`);
  // Commander writes its usage errors to stderr itself.
  process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await main(args), out, err };
  } finally {
    [console.log, console.error, process.stderr.write] = [log, error, write];
  }
}

/** A trained-looking model: the module's architecture with other weights. */
function trained(): ax.nn.Module {
  const m = build();
  ax.noGrad(() => {
    for (const p of m.parameters()) p.copy_(ax.randn(p.shape, { generator: new ax.Generator(p.numel) }));
  });
  return m;
}

test('axon export: module + safetensors weights → ONNX that computes what the model does, batch left free', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-export-'));
  const model = trained();
  ax.io.saveSafetensors(join(dir, 'w.safetensors'), model.stateDict());
  const out = join(dir, 'm.onnx');
  const r = await axon('export', MODULE, '--onnx', out, '--weights', join(dir, 'w.safetensors'), '--dynamic-batch');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /wrote .*m\.onnx: Sequential with 67 parameters \(weights from .*w\.safetensors\)/);
  assert.match(r.out, /input {2}input_0 \[batch, 4\]/);
  const onnx = ax.onnx.load(out).eval();
  const x = ax.randn([5, 4], { generator: new ax.Generator(9) });
  const got = onnx.run({ input_0: x })['output_0'] as ax.Tensor;
  const want = ax.noGrad(() => model.eval().forward(x));
  assert.ok(
    ax.allclose(got, want, { atol: 1e-5 }),
    'the ONNX file computes the trained model (batch 5, exported at 2)',
  );
  // And the other commands take it.
  writeFileSync(join(dir, 'x.json'), JSON.stringify([[0.1, 0.2, 0.3, 0.4]]));
  const p = await axon('summary', out);
  assert.equal(p.code, 0, p.err);
});

test('axon export: the model part of an Axon checkpoint, and --input-shape instead of exampleInputs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-export-'));
  const model = trained();
  const optimizer = new ax.optim.Adam(model.parameters(), { lr: 0.01 });
  ax.io.saveCheckpoint(join(dir, 'ckpt.safetensors'), { model, optimizer, epoch: 3 });
  const out = join(dir, 'c.onnx');
  const r = await axon(
    'export',
    MODULE,
    '--onnx',
    out,
    '--weights',
    join(dir, 'ckpt.safetensors'),
    '--input-shape',
    '1,4',
  );
  assert.equal(r.code, 0, r.err);
  const x = ax.randn([1, 4]);
  const got = ax.onnx.load(out).eval().run({ input_0: x })['output_0'] as ax.Tensor;
  assert.ok(
    ax.allclose(
      got,
      ax.noGrad(() => model.eval().forward(x)),
      { atol: 1e-5 },
    ),
  );
});

test('axon export: bad usage exits 2, a model that cannot be exported exits 1, each saying why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-export-'));
  const out = join(dir, 'x.onnx');
  const cases: [string[], number, RegExp][] = [
    [['export', MODULE], 2, /required option '--onnx <file>'/],
    [['export', join(dir, 'nope.mjs'), '--onnx', out], 2, /no module file/],
    [['export', MODULE, '--onnx', out, '--export', 'missing'], 2, /has no export 'missing' \(it has: .*default/],
    [
      ['export', MODULE, '--onnx', out, '--export', 'notAModel'],
      1,
      /'notAModel' must be an nn\.Module or a function returning one/,
    ],
    [['export', MODULE, '--onnx', out, '--input-shape', '1,x'], 2, /--input-shape must be positive integers/],
    [
      ['export', MODULE, '--onnx', out, '--weights', join(dir, 'missing.safetensors')],
      1,
      /cannot read .*missing\.safetensors/,
    ],
    [['export', MODULE, '--onnx', out, '--input-shape', '1,5'], 1, /Linear|shape/],
  ];
  writeFileSync(join(dir, 'wrong.safetensors'), ax.io.serializeSafetensors({ '0.weight': ax.zeros([2, 2]) }));
  cases.push([['export', MODULE, '--onnx', out, '--weights', join(dir, 'wrong.safetensors')], 1, /loadStateDict/]);
  for (const [args, code, message] of cases) {
    const r = await axon(...args);
    assert.equal(r.code, code, `${args.join(' ')}: exit ${r.code}, ${r.err}`);
    assert.match(r.err, message, args.join(' '));
  }
});
