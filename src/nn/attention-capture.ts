// A listener for attention weights: MultiheadAttention reports its per-head weights here while
// someone listens (explain.attentionWeights), even inside Transformer layers that ask for none.
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from './module.js';

type Listener = (module: Module, weights: Tensor) => void;
const listeners = new Set<Listener>();

/** Calls `fn` with every attention module's weights [N, heads, L, S] until the returned function is called. */
export function listenToAttention(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function attentionListened(): boolean {
  return listeners.size > 0;
}

export function reportAttention(module: Module, weights: Tensor): void {
  for (const fn of listeners) fn(module, weights);
}
