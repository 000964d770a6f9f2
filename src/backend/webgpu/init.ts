/**
 * `await ax.initWebGpu()`: asks the page (or a Node with a WebGPU implementation) for a GPU device,
 * registers the 'webgpu' backend and selects it. Asynchronous because requesting an adapter and a
 * device is.
 */
import { BackendError } from '../../errors.js';
import { getBackend, registerBackend, setBackend } from '../index.js';
import { WebGpuBackend } from './backend.js';
import { GpuKernels, requestGpuDevice } from './kernels.js';
import type { GpuMemoryStats } from './memory.js';

export async function initWebGpu(): Promise<WebGpuBackend> {
  const device = await requestGpuDevice();
  if (!device)
    throw new BackendError(
      'initWebGpu: no WebGPU adapter here (navigator.gpu is missing, or offered none: Chromium needs WebGPU enabled, Node a WebGPU implementation)',
    );
  const backend = new WebGpuBackend(new GpuKernels(device));
  registerBackend('webgpu', () => backend);
  return setBackend('webgpu') as WebGpuBackend;
}

/** The WebGPU backend's buffer pool: live and pooled buffers and bytes, buffers ever created. */
export function gpuMemory(): GpuMemoryStats {
  const b = getBackend();
  if (!(b instanceof WebGpuBackend))
    throw new BackendError(`gpuMemory: the backend in use is '${b.name}', not 'webgpu' (call initWebGpu first)`);
  return b.memory();
}
