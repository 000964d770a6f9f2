// Tensors between the server's threads: typed arrays moved (transferred), not copied or encoded.
import { fromTypedArray } from '../tensor/create.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { ownsBuffer } from '../tensor/small-arrays.js';
import type { Tensor } from '../tensor/tensor.js';

export interface WireTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

export type WireTensors = Record<string, WireTensor>;

/** A tensor's values in a fresh array the receiver may own. */
export function toWire(t: Tensor): WireTensor {
  const view = t.contiguous().toTypedArray();
  const data = view.slice() as TypedArray;
  return { dtype: t.dtype, shape: [...t.shape], data };
}

export function fromWire(w: WireTensor): Tensor {
  return fromTypedArray(w.data, w.shape);
}

/**
 * The buffers to transfer with a message: those each array owns whole. An array that is a view into
 * a shared buffer (a small op output carved from a slab) is cloned instead, since transferring its
 * buffer would detach its neighbours.
 */
export function buffers(ts: WireTensors): ArrayBuffer[] {
  return Object.values(ts)
    .filter((t) => ownsBuffer(t.data))
    .map((t) => t.data.buffer as ArrayBuffer);
}

/**
 * The tensors with any array over shared memory copied out (the wasm backend's threaded build keeps
 * tensors in its SharedArrayBuffer, src/backend/wasm/module-arrays.ts): posting such an array to a
 * worker would share it, not copy it, and the sender frees that memory when it is done with the
 * array, maybe before the worker has read it.
 */
export function unshared(ts: WireTensors): WireTensors {
  if (Object.values(ts).every((t) => t.data.buffer instanceof ArrayBuffer)) return ts;
  const out: WireTensors = {};
  for (const [name, t] of Object.entries(ts))
    out[name] = t.data.buffer instanceof ArrayBuffer ? t : { ...t, data: t.data.slice() as TypedArray };
  return out;
}
