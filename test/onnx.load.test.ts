import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import * as ax from '../src/index.js';
import {
  ModelProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProtoSchema,
  TensorProto_DataLocation,
} from '../src/onnx/proto/onnx_pb.js';
import { info, init, mlpSpec, model, modelBytes, node } from './helpers/onnx-build.js';
import { throwsTyped } from './helpers/throws.js';

const { nn, optim } = ax;
const tmp = () => mkdtempSync(join(tmpdir(), 'axon-onnx-'));

function close(a: ax.Tensor, b: ax.Tensor, tol = 1e-5): void {
  assert.deepEqual(a.shape, b.shape);
  const x = a.contiguous().toTypedArray();
  const y = b.contiguous().toTypedArray();
  for (let i = 0; i < y.length; i++)
    assert.ok(Math.abs(x[i]! - y[i]!) <= tol * (1 + Math.abs(y[i]!)), `${i}: ${x[i]} vs ${y[i]}`);
}

/** The MLP by hand, from the module's own parameters. */
function reference(m: ax.onnx.OnnxModule, x: ax.Tensor): ax.Tensor {
  const s = m.stateDict();
  const h = x.matmul(s['fc1.weight']!.t()).add(s['fc1.bias']!).relu();
  return h.matmul(s['fc2.weight']!.t()).add(s['fc2.bias']!);
}

describe('ax.onnx.load: an ONNX graph as a trainable module', () => {
  test('runs the graph; initializers are parameters under their ONNX names', () => {
    const m = ax.onnx.load(modelBytes(mlpSpec()));
    assert.deepEqual(Object.keys(m.stateDict()).sort(), ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
    assert.equal(m.parameters().length, 4);
    assert.deepEqual(m.inputNames, ['x']);
    assert.deepEqual(m.outputNames, ['y']);
    const x = ax.randn([5, 4]);
    close(m.forward(x), reference(m, x));
    close(m.forward({ x }), reference(m, x));
    close(m.run({ x }).y as ax.Tensor, reference(m, x));
    // The batch dimension is symbolic: any size runs.
    assert.deepEqual(m.forward(ax.randn([1, 4])).shape, [1, 3]);
    assert.match(m.toString(), /OnnxModule\(inputs=\[x\], outputs=\[y\], nodes=3/);
  });

  test('gradients flow through the graph: fine-tuning with an optimizer lowers the loss', () => {
    const m = ax.onnx.load(modelBytes(mlpSpec()));
    const x = ax.randn([16, 4]);
    const target = ax.randn([16, 3]);
    const opt = new optim.Adam(m.parameters(), { lr: 0.05 });
    const loss0 = nn.functional.mseLoss(m.forward(x), target).item();
    for (let i = 0; i < 30; i++) {
      opt.zeroGrad();
      const loss = nn.functional.mseLoss(m.forward(x), target);
      loss.backward();
      opt.step();
    }
    const loss1 = nn.functional.mseLoss(m.forward(x), target).item();
    assert.ok(loss1 < loss0 * 0.7, `${loss0} → ${loss1}`);
  });

  test('truncate cuts the graph at an intermediate value and shares the parameters', () => {
    const m = ax.onnx.load(modelBytes(mlpSpec()));
    const features = m.truncate('a');
    const x = ax.randn([2, 4]);
    const s = m.stateDict();
    close(features.forward(x), x.matmul(s['fc1.weight']!.t()).add(s['fc1.bias']!).relu());
    assert.equal(features.parameters().length, 2, 'only the parameters the cut graph uses are listed');
    const head = new nn.Linear(8, 2);
    const model2 = new nn.Sequential(features.freeze(), head);
    const y = model2.forward(x) as ax.Tensor;
    y.sum().backward();
    assert.ok(head.weight.grad, 'the new head learns');
    assert.equal(m.stateDict()['fc1.weight']!.grad, null);
    assert.ok(m.valueNames().includes('h'));
    throwsTyped(() => m.truncate('nope'), ax.ValueError, /no value named nope/);
  });

  test('inputs are checked against the declared types and shapes', () => {
    const m = ax.onnx.load(modelBytes(mlpSpec()));
    throwsTyped(
      () => m.forward(ax.randn([2, 5])),
      ax.ShapeError,
      /input 'x' should have shape \[batch, 4\], got \[2, 5\]/,
    );
    throwsTyped(() => m.forward(ax.ones([2, 4], { dtype: 'int32' })), ax.ValueError, /should be float.*int32/);
    throwsTyped(() => m.forward(), ax.ValueError, /input 'x' is missing/);
    throwsTyped(() => m.forward({ z: ax.ones([1, 4]) }), ax.ValueError, /no input named 'z'/);
  });

  test('BatchNormalization statistics are buffers, updated in train() and used in eval()', () => {
    ax.manualSeed(1);
    const spec = {
      nodes: [node('BatchNormalization', ['x', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'], ['y'])],
      inputs: [info('x', 1, ['N', 3, 2, 2])],
      outputs: [info('y', 1)],
      initializers: [
        init('bn.weight', ax.ones([3])),
        init('bn.bias', ax.zeros([3])),
        init('bn.running_mean', ax.zeros([3])),
        init('bn.running_var', ax.ones([3])),
      ],
    };
    const m = ax.onnx.load(modelBytes(spec));
    assert.equal(m.parameters().length, 2);
    assert.deepEqual(Object.keys(m.stateDict()).sort(), ['bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.weight']);
    const x = ax.randn([8, 3, 2, 2]).add(5);
    m.eval();
    close(m.forward(x), x.div(Math.sqrt(1 + 1e-5)), 1e-4); // running stats 0 / 1
    m.train();
    m.forward(x);
    const mean = m.stateDict()['bn.running_mean']!.toArray() as number[];
    assert.ok(
      mean.every((v) => v > 0.3),
      `running mean moved toward 5: ${mean}`,
    );
  });

  test('Dropout drops in train() and passes through in eval()', () => {
    const m = ax.onnx.load(
      modelBytes({
        nodes: [node('Dropout', ['x', 'ratio'], ['y'])],
        inputs: [info('x', 1)],
        outputs: [info('y', 1)],
        initializers: [init('ratio', ax.tensor(0.5).to('float32'))].map((t) => t),
        opset: 13,
      }),
    );
    const x = ax.ones([1000]);
    m.eval();
    close(m.forward(x), x);
    m.train();
    const zeros = (m.forward(x).toArray() as number[]).filter((v) => v === 0).length;
    assert.ok(zeros > 400 && zeros < 600, `${zeros} of 1000 dropped`);
  });

  test('half-precision initializers (float16, bfloat16) load as float32', () => {
    const h = create(TensorProtoSchema, {
      name: 'h',
      dataType: 10,
      dims: [3n],
      rawData: Uint8Array.of(0x00, 0x3c, 0x00, 0xc0, 0x00, 0x7c),
    });
    const b = create(TensorProtoSchema, { name: 'b', dataType: 16, dims: [2n], int32Data: [0x3f80, 0xc0a0] });
    const m = ax.onnx.load(
      modelBytes({
        nodes: [node('Identity', ['h'], ['y']), node('Identity', ['b'], ['z'])],
        inputs: [],
        outputs: [info('y', 1), info('z', 1)],
        initializers: [h, b],
      }),
    );
    const [y, z] = m.forward() as ax.Tensor[];
    assert.deepEqual(y!.toArray(), [1, -2, Infinity]);
    assert.deepEqual(z!.toArray(), [1, -5]);
  });

  test('shape arithmetic on constants is folded once at load', () => {
    // y = Reshape(x, Concat(Shape(c)[0:1], [-1])) where c is an integer initializer.
    const m = ax.onnx.load(
      modelBytes({
        nodes: [
          node('Shape', ['c'], ['s']),
          node('Slice', ['s', 'zero', 'one'], ['first']),
          node('Concat', ['first', 'minus1'], ['shape'], { axis: 0 }),
          node('Reshape', ['x', 'shape'], ['y']),
        ],
        inputs: [info('x', 1)],
        outputs: [info('y', 1)],
        initializers: [
          init('c', ax.zeros([2, 7], { dtype: 'int32' })),
          init('zero', ax.tensor([0], { dtype: 'int32' })),
          init('one', ax.tensor([1], { dtype: 'int32' })),
          init('minus1', ax.tensor([-1], { dtype: 'int32' })),
        ],
      }),
    );
    assert.deepEqual(m.forward(ax.randn([4, 3])).shape, [2, 6]);
    assert.match(m.toString(), /nodes=1\b/, 'only the Reshape runs per call');
  });

  test('models on disk, with their tensors in an external file beside them', () => {
    const dir = tmp();
    const spec = mlpSpec();
    const w = spec.initializers![0]!;
    const raw = w.rawData;
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([Buffer.alloc(16), Buffer.from(raw)]));
    spec.initializers![0] = create(TensorProtoSchema, {
      name: w.name,
      dataType: w.dataType,
      dims: w.dims,
      dataLocation: TensorProto_DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: 'weights.bin' },
        { key: 'offset', value: '16' },
        { key: 'length', value: String(raw.length) },
      ],
    });
    writeFileSync(join(dir, 'model.onnx'), modelBytes(spec));
    const m = ax.onnx.load(join(dir, 'model.onnx'));
    const inline = ax.onnx.load(modelBytes(mlpSpec()));
    close(m.stateDict()['fc1.weight']!, inline.stateDict()['fc1.weight']!);
    // As bytes, the directory must be given.
    throwsTyped(
      () => ax.onnx.load(modelBytes(spec)),
      ax.OnnxError,
      /initializer 'fc1.weight'.*external file, and no directory is known/,
    );
    close(
      ax.onnx.load(modelBytes(spec), { baseDir: dir }).stateDict()['fc1.weight']!,
      inline.stateDict()['fc1.weight']!,
    );
  });

  test('external data may not leave the model directory', () => {
    const dir = tmp();
    const outside = tmp();
    writeFileSync(join(outside, 'secret.bin'), Buffer.alloc(1024));
    symlinkSync(join(outside, 'secret.bin'), join(dir, 'link.bin'));
    for (const location of ['../secret.bin', join(outside, 'secret.bin'), 'a/../../secret.bin', 'link.bin']) {
      const spec = mlpSpec();
      const w = spec.initializers![0]!;
      spec.initializers![0] = create(TensorProtoSchema, {
        name: w.name,
        dataType: w.dataType,
        dims: w.dims,
        dataLocation: TensorProto_DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: location }],
      });
      throwsTyped(() => ax.onnx.load(modelBytes(spec), { baseDir: dir }), ax.OnnxError, /leaves|links out/);
    }
  });
});

describe('ax.onnx.load: bad models fail at load with an OnnxError naming what is wrong', () => {
  const bad = (spec: Parameters<typeof modelBytes>[0], ...patterns: RegExp[]) =>
    throwsTyped(() => ax.onnx.load(modelBytes(spec)), ax.OnnxError, ...patterns);
  const x = [info('x', 1)];
  const y = [info('y', 1)];

  test('every unsupported op is listed, with its opset and node', () => {
    bad(
      {
        nodes: [
          node('Foo', ['x'], ['a'], {}, 'first'),
          node('Relu', ['a'], ['b']),
          node('Bar', ['b'], ['y'], {}, 'last'),
        ],
        inputs: x,
        outputs: y,
      },
      /unsupported ONNX ops \(2\): Foo \(opset 17, Foo node 'first'\); Bar \(opset 17, Bar node 'last'\)/,
    );
  });

  test('graph structure: cycles, unknown inputs, duplicate names', () => {
    bad(
      {
        nodes: [node('Relu', ['b'], ['a'], {}, 'n1'), node('Relu', ['a'], ['b'], {}, 'n2')],
        inputs: x,
        outputs: [info('a')],
      },
      /cycle/,
    );
    bad(
      { nodes: [node('Add', ['x', 'ghost'], ['y'], {}, 'add')], inputs: x, outputs: y },
      /Add node 'add': reads 'ghost'/,
    );
    bad(
      { nodes: [node('Relu', ['x'], ['y']), node('Neg', ['x'], ['y'], {}, 'twice')], inputs: x, outputs: y },
      /'twice'.*'y' is already defined/,
    );
    bad(
      { nodes: [node('Relu', ['x'], ['y'])], inputs: [info('x'), info('x')], outputs: y },
      /input 'x' is declared twice/,
    );
    bad({ nodes: [node('Relu', ['x'], ['y'])], inputs: x, outputs: [info('z')] }, /output 'z' is produced by no node/);
    bad(
      {
        nodes: [node('Relu', ['x'], ['y'])],
        inputs: x,
        outputs: y,
        initializers: [init('w', ax.ones([1])), init('w', ax.ones([1]))],
      },
      /initializer 'w' is defined twice/,
    );
  });

  test('tensor data: huge claimed shapes, short data, values int32 cannot hold', () => {
    const huge = create(TensorProtoSchema, {
      name: 'w',
      dataType: 1,
      dims: [1n << 20n, 1n << 20n],
      rawData: new Uint8Array(8),
    });
    bad(
      { nodes: [node('Relu', ['x'], ['y'])], inputs: x, outputs: y, initializers: [huge] },
      /initializer 'w'.*1099511627776 elements/,
    );
    const short = create(TensorProtoSchema, { name: 'w', dataType: 1, dims: [4n, 4n], rawData: new Uint8Array(60) });
    bad(
      { nodes: [node('Relu', ['x'], ['y'])], inputs: x, outputs: y, initializers: [short] },
      /needs 64 bytes, the data has 60/,
    );
    const fields = create(TensorProtoSchema, { name: 'w', dataType: 1, dims: [3n], floatData: [1, 2] });
    bad(
      { nodes: [node('Relu', ['x'], ['y'])], inputs: x, outputs: y, initializers: [fields] },
      /needs 3 values, the tensor has 2/,
    );
    const big = create(TensorProtoSchema, { name: 'w', dataType: 7, dims: [1n], int64Data: [1n << 40n] });
    bad(
      { nodes: [node('Relu', ['x'], ['y'])], inputs: x, outputs: y, initializers: [big] },
      /1099511627776 does not fit Axon's int32/,
    );
    const neg = create(TensorProtoSchema, { name: 'w', dataType: 1, dims: [-1n] });
    bad({ nodes: [node('Relu', ['x'], ['y'])], inputs: x, outputs: y, initializers: [neg] }, /dimension -1/);
    const complex = create(TensorProtoSchema, { name: 'w', dataType: 14, dims: [1n] });
    bad(
      { nodes: [node('Relu', ['x'], ['y'])], inputs: x, outputs: y, initializers: [complex] },
      /complex64 is not supported/,
    );
  });

  test('attributes of the wrong type, missing required ones', () => {
    const spec = mlpSpec();
    spec.nodes[0] = node('Gemm', ['x', 'fc1.weight', 'fc1.bias'], ['h'], { transB: { float: 1 } }, 'fc1');
    throwsTyped(
      () => ax.onnx.load(modelBytes(spec)).forward(ax.randn([1, 4])),
      ax.OnnxError,
      /Gemm node 'fc1': attribute 'transB' should be int, the file says float/,
    );
    const pool = { nodes: [node('MaxPool', ['x'], ['y'], {}, 'pool')], inputs: x, outputs: y };
    throwsTyped(
      () => ax.onnx.load(modelBytes(pool)).forward(ax.randn([1, 1, 4, 4])),
      ax.OnnxError,
      /MaxPool node 'pool': attribute 'kernel_shape' is required/,
    );
  });

  test('Gemm: bias through the fused product, β-scaled and full-matrix C, and a C that does not fit', () => {
    ax.manualSeed(5);
    const [a, w, bias, full] = [ax.randn([2, 4]), ax.randn([3, 4]), ax.randn([3]), ax.randn([2, 3])];
    const gemm = (c: ax.Tensor, attrs: Record<string, { float: number }>) =>
      ax.onnx
        .load(
          modelBytes({
            nodes: [node('Gemm', ['x', 'w', 'c'], ['y'], { transB: 1, ...attrs }, 'fc')],
            inputs: [info('x', 1, [2, 4])],
            outputs: [info('y', 1, [2, 3])],
            initializers: [init('w', w), init('c', c)],
          }),
        )
        .forward(a) as ax.Tensor;
    const product = a.matmul(w.t());
    const near = (x: ax.Tensor, y: ax.Tensor) =>
      x.toTypedArray().forEach((v, i) => assert.ok(Math.abs(v - y.toTypedArray()[i]!) < 1e-5, `${i}`));
    near(gemm(bias, {}), product.add(bias));
    near(gemm(bias, { beta: { float: 0.5 } }), product.add(bias.mul(0.5)));
    near(gemm(full, {}), product.add(full));
    near(gemm(bias, { alpha: { float: 2 } }), product.mul(2).add(bias));
    assert.throws(
      () => gemm(ax.randn([5]), {}),
      (e: Error) => /Gemm node 'fc'.*\[5\]/.test(e.message),
    );
  });

  test('files that are not models', () => {
    const good = modelBytes(mlpSpec());
    throwsTyped(() => ax.onnx.load(good.subarray(0, good.length - 7)), ax.OnnxError, /not a valid ONNX model/);
    throwsTyped(() => ax.onnx.load(new TextEncoder().encode('hello, I am not protobuf')), ax.OnnxError);
    throwsTyped(() => ax.onnx.load(new Uint8Array(0)), ax.OnnxError, /no graph/);
    throwsTyped(() => ax.onnx.load(join(tmp(), 'missing.onnx')), ax.FormatError, /cannot read/);
    throwsTyped(() => ax.onnx.load(42 as never), ax.ValueError, /path or a Uint8Array/);
    throwsTyped(() => ax.onnx.load(good, { basedir: '.' } as never), ax.ValueError, /unknown option 'basedir'/);
    const noOpset = model(mlpSpec());
    noOpset.opsetImport = [create(OperatorSetIdProtoSchema, { domain: '', version: 0n })];
    throwsTyped(() => ax.onnx.load(toBinary(ModelProtoSchema, noOpset)), ax.OnnxError, /opset version 0/);
  });

  test('a mutation fuzz of a valid model: every failure is an Axon error, nothing crashes or hangs', () => {
    const good = modelBytes(mlpSpec());
    const runs = Number(process.env.FUZZ_RUNS ?? 10000);
    let seed = Number(process.env.FUZZ_SEED ?? 12345);
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const outcomes = { loaded: 0, ran: 0, rejected: 0 };
    const x = ax.randn([2, 4]);
    for (let r = 0; r < runs; r++) {
      const bytes = Uint8Array.from(good);
      const edits = 1 + Math.floor(rand() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * bytes.length);
        const kind = rand();
        if (kind < 0.6) bytes[at] = Math.floor(rand() * 256);
        else if (kind < 0.8) bytes[at]! ^= 1 << Math.floor(rand() * 8);
        else bytes[at] = [0, 0x7f, 0x80, 0xff][Math.floor(rand() * 4)]!;
      }
      const input = rand() < 0.1 ? bytes.subarray(0, Math.floor(rand() * bytes.length)) : bytes;
      try {
        const m = ax.onnx.load(input);
        outcomes.loaded++;
        m.forward(x);
        outcomes.ran++;
      } catch (e) {
        if (!(e instanceof ax.AxonError))
          throw new Error(`mutation ${r} (seed ${process.env.FUZZ_SEED ?? 12345}): ${(e as Error).stack}`, {
            cause: e,
          });
        outcomes.rejected++;
      }
    }
    assert.equal(outcomes.ran + outcomes.rejected, runs);
    assert.ok(outcomes.rejected > runs / 10 && outcomes.loaded > runs / 10, JSON.stringify(outcomes));
  });
});
