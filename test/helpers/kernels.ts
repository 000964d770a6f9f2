// The compiled kernels a suite checks: the native addon, or — in the wasm pass (AXON_BACKEND=wasm) —
// the WebAssembly build of the same sources behind the same Addon interface.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import * as ax from '../../src/index.js';
import { type Addon, loadAddon } from '../../src/backend/native/addon.js';
import { NativeBackend } from '../../src/backend/native/index.js';
import { loadFixture } from './fixtures.js';
import { readWasmFile } from '../../src/backend/wasm/file.js';
import { wasmAddon } from '../../src/backend/wasm/addon.js';
import { WasmKernels } from '../../src/backend/wasm/kernels.js';

export const KERNELS: 'native' | 'wasm' = process.env['AXON_BACKEND'] === 'wasm' ? 'wasm' : 'native';
/** Set where a machine cannot build these kernels: their suites then skip instead of failing. */
export const SKIP_ENV = KERNELS === 'wasm' ? 'AXON_SKIP_WASM' : 'AXON_SKIP_NATIVE';

let wasm: Addon | null | undefined;

export function kernelAddon(): Addon | null {
  if (KERNELS === 'native') return loadAddon();
  if (wasm === undefined) {
    try {
      const kernels = new WasmKernels(new WebAssembly.Module(readWasmFile()));
      if (kernels.threaded) awaitWorkers(kernels);
      wasm = wasmAddon(kernels);
    } catch {
      wasm = null;
    }
  }
  return wasm;
}

/**
 * Blocks until the threaded build's workers have joined (they start asynchronously), so that every
 * suite on it runs its kernels on two threads: Node's main thread may block in Atomics.wait, and
 * the workers start without it.
 */
export function awaitWorkers(kernels: WasmKernels, want = Math.min(2, availableParallelism())): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; kernels.threads() < want; waited += 5) {
    if (waited > 10_000) throw new Error(`the wasm workers did not join in 10 s (${kernels.threads()} of ${want})`);
    Atomics.wait(sleeper, 0, 0, 5);
  }
}

/**
 * The compiled kernels against the JS ones: runs `compute` on the JS backend and on a backend that
 * sends every size to the compiled kernels, then asserts the results agree element by element
 * (within 1e-6 relative; NaN agrees with NaN). The previous backend is restored.
 */
export function assertKernelsAgree(addon: Addon, label: string, compute: () => ax.Tensor): void {
  ax.registerBackend('compiled-every-size', () => new NativeBackend(addon, { minElements: 0 }));
  const before = ax.getBackend().name;
  let want: ArrayLike<number>, got: ArrayLike<number>;
  try {
    ax.setBackend('js');
    want = compute().toTypedArray();
    ax.setBackend('compiled-every-size');
    got = compute().toTypedArray();
  } finally {
    ax.setBackend(before);
  }
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!,
      w = want[i]!;
    assert.ok(
      g === w || (g !== g && w !== w) || Math.abs(g - w) <= 1e-6 * Math.max(1, Math.abs(w)),
      `${label}: element ${i}: ${KERNELS} ${g}, js ${w}`,
    );
  }
}

/** The op names that have a PyTorch case in test/fixtures/ops.json. */
export function fixtureOps(): Set<string> {
  return new Set(loadFixture<{ cases: { op: string }[] }>('ops.json').cases.map((c) => c.op));
}
