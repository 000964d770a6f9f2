/**
 * The native backend's Addon interface over the WebAssembly kernels, so that NativeBackend (its
 * dispatch, descriptors and JS fallbacks) serves both: the WASM backend is `new NativeBackend(
 * wasmAddon(kernels), { name: 'wasm' })`. Each method names its binding and which of its
 * arguments the kernel writes.
 */
import { BackendError } from '../../errors.js';
import type { Addon } from '../native/addon.js';
import type { WasmKernels } from './kernels.js';

/** Binding → the argument positions it writes (native/src/bindings.cc). */
const OUTPUTS = {
  matmul: [2],
  unary: [2],
  binary: [3],
  compare: [3],
  copy: [1],
  reduce: [2],
  softmax: [1],
  softmaxBackward: [2],
  im2col: [1],
  col2im: [1],
  maxPool2d: [1, 2],
  depthwiseConv2d: [2],
  conv2d: [3],
  conv2dBackward: [3, 4],
  gather: [2],
  scatter: [1],
  argReduce: [2],
  layerNorm: [3, 4, 5],
  layerNormBackward: [5, 6, 7],
  batchNorm: [3, 4, 5, 6],
  batchNormBackward: [5, 6, 7],
  sgdStep: [0, 2],
  adamStep: [0, 2, 3, 4],
  lstmCell: [2, 3],
  lstmCellBackward: [4, 5],
  setNumThreads: [],
  forceIsa: [],
} as const;

type Kernel = keyof typeof OUTPUTS;

export function wasmAddon(kernels: WasmKernels): Addon {
  const bind =
    (name: Kernel) =>
    (...args: unknown[]): true =>
      kernels.call(name, args, OUTPUTS[name]);
  const methods = Object.fromEntries((Object.keys(OUTPUTS) as Kernel[]).map((k) => [k, bind(k)]));
  return {
    ...(methods as unknown as Omit<Addon, 'info' | 'ops' | 'setErrorClass' | 'peakGflops'>),
    // The threaded build also starts the workers the new count needs.
    setNumThreads: (n: number) => kernels.setThreads(n),
    info: () => ({ isa: kernels.isa(), threads: kernels.threads() }),
    ops: () => ({
      unary: kernels.opNames(0),
      binary: kernels.opNames(1),
      reduce: kernels.opNames(2),
      compare: kernels.opNames(3),
    }),
    // The glue throws BackendError itself.
    setErrorClass: () => undefined,
    peakGflops: () => {
      throw new BackendError('peakGflops: not measured on the wasm backend');
    },
  };
}
