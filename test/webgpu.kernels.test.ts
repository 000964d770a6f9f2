import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { GpuKernels, type GpuView, requestGpuDevice } from '../src/backend/webgpu/kernels.js';
import { JsBackend } from '../src/backend/js/index.js';
import type { WindowGeometry } from '../src/backend/index.js';

// The WebGPU kernels against the JS backend on strided, transposed and broadcast views. Needs a
// WebGPU adapter: headless Chromium with --enable-unsafe-webgpu (SwiftShader, a CPU Vulkan) in
// test/browser.test.ts; Node has none, so here the suite skips.
const hasGpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined;
const gen = new ax.Generator(5);

let kernels: GpuKernels | null = null;
async function gpu(): Promise<GpuKernels> {
  if (!kernels) {
    const device = await requestGpuDevice();
    assert.ok(device, 'navigator.gpu gave no adapter');
    kernels = new GpuKernels(device);
  }
  return kernels;
}

/** A tensor's whole storage on the GPU, viewed as the tensor (strides and offset kept). */
function onGpu(k: GpuKernels, t: ax.Tensor, shape: readonly number[] = t.shape, strides = t.strides): GpuView {
  return { buffer: k.upload(Float32Array.from(t.data as Float32Array)), shape, strides, offset: t.offset };
}

function contiguous(k: GpuKernels, shape: readonly number[]): GpuView {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return { buffer: k.empty(shape.reduce((a, b) => a * b, 1)), shape, strides, offset: 0 };
}

async function expectClose(k: GpuKernels, got: GpuView, want: ax.Tensor, tol: number, what: string): Promise<void> {
  const n = want.numel;
  const g = await k.read(got.buffer, n);
  const w = want.contiguous().toTypedArray() as Float32Array;
  assert.equal(g.length, w.length, what);
  for (let i = 0; i < n; i++) {
    const d = Math.abs(g[i]! - w[i]!);
    if (!(d <= tol * Math.max(1, Math.abs(w[i]!)))) assert.fail(`${what}: element ${i}: webgpu ${g[i]} vs js ${w[i]}`);
  }
}

function geluGradient(t: ax.Tensor, approximate: 'none' | 'tanh'): ax.Tensor {
  const x = t.detach().requiresGrad_();
  ax.nn.functional.gelu(x, { approximate }).sum().backward();
  return x.grad!;
}

describe(
  'WebGPU kernels agree with the JS backend',
  { skip: hasGpu ? false : 'no WebGPU adapter (the page test runs this suite in Chromium)' },
  () => {
    test('unary ops on a transposed view', async () => {
      const k = await gpu();
      const x = ax.randn([6, 9], { generator: gen }).transpose(0, 1);
      const cases: [string, (t: ax.Tensor) => ax.Tensor, number?][] = [
        ['exp', (t) => t.exp()],
        ['tanh', (t) => t.tanh()],
        ['sigmoid', (t) => t.sigmoid()],
        ['relu', (t) => t.relu()],
        ['abs', (t) => t.abs()],
        ['neg', (t) => t.neg()],
        ['silu', (t) => ax.nn.functional.silu(t)],
        ['leakyRelu', (t) => ax.nn.functional.leakyRelu(t, 0.1), 0.1],
        // GELU's derivatives (its backward pass), against the gradient the JS backend computes
        ['geluGrad', (t) => geluGradient(t, 'none')],
        ['geluTanhGrad', (t) => geluGradient(t, 'tanh')],
      ];
      for (const [op, ref, p0] of cases) {
        const out = contiguous(k, x.shape);
        k.unary(op, onGpu(k, x), out, p0 ?? 0);
        await expectClose(k, out, ref(x), 2e-6, op);
      }
    });

    test('binary ops with broadcasting (stride-0 dims) and a sliced operand', async () => {
      const k = await gpu();
      const a = ax.randn([4, 10], { generator: gen }).slice(1, 0, null, 2); // [4, 5], column stride 2
      const b = ax.randn([5], { generator: gen }).abs().add(0.5);
      const shape = [4, 5];
      const bView = onGpu(k, b, shape, [0, 1]);
      for (const [op, ref] of [
        ['add', (x: ax.Tensor, y: ax.Tensor) => x.add(y)],
        ['sub', (x: ax.Tensor, y: ax.Tensor) => x.sub(y)],
        ['mul', (x: ax.Tensor, y: ax.Tensor) => x.mul(y)],
        ['div', (x: ax.Tensor, y: ax.Tensor) => x.div(y)],
        ['maximum', (x: ax.Tensor, y: ax.Tensor) => ax.maximum(x, y)],
      ] as const) {
        const out = contiguous(k, shape);
        k.binary(op, onGpu(k, a), bView, out);
        await expectClose(k, out, ref(a, b), 1e-6, op);
      }
    });

    test('matmul: odd sizes past the 16×16 tile, a transposed operand, a broadcast batch, accumulate', async () => {
      const k = await gpu();
      for (const [M, K, N] of [
        [1, 1, 1],
        [17, 33, 9],
        [40, 7, 65],
      ] as const) {
        const a = ax.randn([M, K], { generator: gen });
        const b = ax.randn([N, K], { generator: gen }).t();
        const out = contiguous(k, [M, N]);
        k.matmul(onGpu(k, a), onGpu(k, b), out);
        await expectClose(k, out, a.matmul(b), 1e-5 * Math.sqrt(K), `${M}×${K}×${N}`);
        k.matmul(onGpu(k, a), onGpu(k, b), out, true);
        await expectClose(k, out, a.matmul(b).mul(2), 2e-5 * Math.sqrt(K), `${M}×${K}×${N} accumulated`);
      }
      const a = ax.randn([3, 5, 6], { generator: gen });
      const w = ax.randn([6, 4], { generator: gen });
      const out = contiguous(k, [3, 5, 4]);
      k.matmul(onGpu(k, a), onGpu(k, w, [3, 6, 4], [0, 4, 1]), out);
      await expectClose(k, out, a.matmul(w), 1e-5 * Math.sqrt(6), 'batched, weight broadcast');
    });

    test('reductions along each axis, rows longer than a workgroup', async () => {
      const k = await gpu();
      const x = ax.randn([3, 700], { generator: gen });
      for (const op of ['sum', 'max', 'min'] as const) {
        for (const axis of [0, 1]) {
          const shape = x.shape.filter((_, d) => d !== axis);
          const out = contiguous(k, shape);
          k.reduce(op, onGpu(k, x), axis, out);
          const want = op === 'sum' ? x.sum(axis) : op === 'max' ? x.amax(axis) : x.amin(axis);
          await expectClose(k, out, want, 1e-5 * Math.sqrt(700), `${op} over axis ${axis}`);
        }
      }
    });

    test('softmax and log-softmax along the last and the first axis', async () => {
      const k = await gpu();
      const x = ax.randn([5, 300], { generator: gen }).mul(4);
      for (const log of [false, true])
        for (const axis of [0, 1]) {
          const out = contiguous(k, x.shape);
          k.softmax(onGpu(k, x), axis, out, log);
          await expectClose(
            k,
            out,
            log ? x.logSoftmax(axis) : x.softmax(axis),
            2e-5,
            `${log ? 'log-' : ''}softmax ${axis}`,
          );
        }
    });

    test('im2col and its adjoint col2im: stride, padding, dilation, a strided image', async () => {
      const k = await gpu();
      const js = new JsBackend();
      const x = ax.randn([2, 5, 3, 6], { generator: gen }).permute(0, 2, 1, 3); // [2, 3, 5, 6], not contiguous
      const g: WindowGeometry = {
        kernel: [3, 2],
        stride: [2, 1],
        padding: [1, 1],
        dilation: [1, 2],
        input: [5, 6],
        output: [3, 5],
      };
      const colsShape = [2, 3, 3, 2, 3, 5];
      const want = ax.zeros(colsShape);
      js.im2col({ data: x.data, shape: x.shape, strides: x.strides, offset: x.offset }, g, -1.5, want);
      const cols = contiguous(k, colsShape);
      k.im2col(onGpu(k, x), g, -1.5, cols);
      await expectClose(k, cols, want, 0, 'im2col');
      const grad = ax.randn(colsShape, { generator: gen });
      const back = ax.zeros([2, 3, 5, 6]);
      js.col2im(grad, g, back);
      const image = contiguous(k, [2, 3, 5, 6]);
      k.col2im(onGpu(k, grad), g, image);
      await expectClose(k, image, back, 1e-6, 'col2im');
      assert.throws(() => k.im2col(onGpu(k, x), { ...g, output: [4, 5] }, 0, cols), /do not fit the window geometry/);
    });

    test('fused Adam (AdamW, amsgrad) and SGD (momentum, Nesterov) steps match the JS backend over 3 steps', async () => {
      const k = await gpu();
      const js = new JsBackend();
      const n = 300;
      const view = (t: ax.Tensor) => ({ data: t.data, shape: t.shape, strides: t.strides, offset: t.offset });
      const up = (t: ax.Tensor) => onGpu(k, t);
      for (const [decoupled, amsgrad] of [
        [false, false],
        [true, true],
      ] as const) {
        const p = ax.randn([n], { generator: gen }),
          m = ax.zeros([n]),
          v = ax.zeros([n]),
          x = ax.zeros([n]);
        const [gp, gm, gv, gx] = [up(p), up(m), up(v), up(x)];
        for (let step = 1; step <= 3; step++) {
          const g = ax.randn([n], { generator: gen });
          const o = { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, step, decoupled };
          js.adamStep(view(p), view(g), view(m), view(v), amsgrad ? view(x) : null, o);
          k.adamStep(gp, up(g), gm, gv, amsgrad ? gx : null, o);
        }
        await expectClose(k, gp, p, 2e-6, `adam decoupled=${decoupled} amsgrad=${amsgrad}: param`);
        await expectClose(k, gv, v, 2e-6, 'adam: second moment');
      }
      const p = ax.randn([n], { generator: gen }),
        buf = ax.zeros([n]);
      const [gp, gb] = [up(p), up(buf)];
      for (let step = 1; step <= 3; step++) {
        const g = ax.randn([n], { generator: gen });
        const o = { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov: true, firstStep: step === 1 };
        js.sgdStep(view(p), view(g), view(buf), o);
        k.sgdStep(gp, up(g), gb, o);
      }
      await expectClose(k, gp, p, 2e-6, 'sgd: param');
      await expectClose(k, gb, buf, 2e-6, 'sgd: momentum buffer');
    });

    test('bad calls raise a BackendError naming the kernel', async () => {
      const k = await gpu();
      const v = contiguous(k, [2, 2]);
      assert.throws(() => k.unary('nope', v, v), /webgpu\.unary: no kernel for 'nope'/);
      assert.throws(() => k.matmul(v, contiguous(k, [3, 2]), v), /webgpu\.matmul: shapes/);
      assert.throws(() => k.reduce('mean', v, 0, contiguous(k, [2])), /webgpu\.reduce: no kernel/);
      // An invalid call the device reports later (a destroyed output buffer) fails the next read.
      const gone = contiguous(k, [2, 2]);
      gone.buffer.destroy();
      k.unary('exp', v, gone);
      await assert.rejects(k.read(v.buffer, 4), /webgpu: a kernel call was invalid/);
      await k.read(v.buffer, 4); // and only that read
    });
  },
);
