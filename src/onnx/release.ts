import { isGradEnabled } from '../autograd/grad-mode.js';
import { POOLED_MIN_BYTES, giveArray } from '../tensor/array-pool.js';
import { type Storage, Tensor } from '../tensor/tensor.js';
import type { CompiledNode } from './graph.js';
import { Sequence, type Value } from './value.js';

/**
 * Frees a run's intermediates as soon as the graph is done with them. An intermediate's array goes
 * back to the array pool (src/tensor/array-pool.ts) after the last node that reads it, so the next
 * node — or the next run — reuses it instead of mapping fresh memory. Ownership is proved, not
 * assumed: a value's storage is given back only when no live value of the run shares it (views count),
 * it is not an initializer, constant, parameter or fed input, nor an output the caller asked for, and
 * no autograd graph can hold it (grad mode off). Graphs with subgraphs or a Gradient node read values
 * by other routes and are left alone.
 */
export class RunMemory {
  /**
   * Storages the run does not own: the initial values (initializers, constants, state, feeds) and
   * the tensors of sequences. Built on the first release, so runs whose values are all too small to
   * pool (a small MLP) pay nothing for it.
   */
  private pinned: Set<Storage> | null = null;
  private readonly sequences: Sequence[] = [];
  /** Live values per storage large enough to pool. */
  private readonly live = new Map<Storage, number>();

  private constructor(
    /** The names each node reads (or produces) for the last time. */
    private readonly dying: readonly (readonly string[])[],
    private readonly keep: ReadonlySet<string>,
    private readonly initial: readonly Value[],
  ) {}

  /** The run's memory manager, or null when this run must not free anything. */
  static of(
    nodes: readonly CompiledNode[],
    initial: ReadonlyMap<string, Value>,
    keep: ReadonlySet<string>,
  ): RunMemory | null {
    if (isGradEnabled()) return null;
    const dying = lastUses(nodes);
    return dying && new RunMemory(dying, keep, [...initial.values()]);
  }

  /** After node i ran (its outputs already in scope): counts its outputs, frees what i read last. */
  afterNode(i: number, node: CompiledNode, scope: Map<string, Value>): void {
    for (const name of node.outputs) {
      const v = name === '' ? undefined : scope.get(name);
      if (v instanceof Tensor) {
        if (poolable(v)) this.live.set(v.storage, (this.live.get(v.storage) ?? 0) + 1);
      } else if (v instanceof Sequence) this.sequences.push(v);
    }
    for (const name of this.dying[i]!) {
      if (this.keep.has(name)) continue;
      const v = scope.get(name);
      scope.delete(name);
      if (!(v instanceof Tensor) || !poolable(v) || this.isPinned(v.storage)) continue;
      const count = (this.live.get(v.storage) ?? 1) - 1;
      if (count > 0) this.live.set(v.storage, count);
      else {
        this.live.delete(v.storage);
        giveArray(v.storage.dtype, v.storage.data);
      }
    }
  }

  private isPinned(storage: Storage): boolean {
    if (this.pinned === null) {
      this.pinned = new Set();
      for (const v of this.initial) this.pin(v);
    }
    if (this.sequences.length) for (const seq of this.sequences.splice(0)) this.pin(seq);
    return this.pinned.has(storage);
  }

  private pin(v: Value): void {
    if (v instanceof Tensor) this.pinned!.add(v.storage);
    else if (v instanceof Sequence) for (const t of v.items) if (t instanceof Tensor) this.pinned!.add(t.storage);
  }
}

/** Whether the pool would keep this tensor's array (smaller ones are not worth tracking). */
const poolable = (t: Tensor) =>
  t.storage.device === null && t.storage.length * t.storage.readHost('RunMemory').BYTES_PER_ELEMENT >= POOLED_MIN_BYTES;

const cache = new WeakMap<readonly CompiledNode[], string[][] | null>();

/** The names each node reads or produces for the last time, or null for graphs read by other routes. */
function lastUses(nodes: readonly CompiledNode[]): string[][] | null {
  let found = cache.get(nodes);
  if (found !== undefined) return found;
  const other = nodes.some(
    (n) => n.proto.opType === 'Gradient' || n.proto.attribute.some((a) => a.g || a.graphs.length),
  );
  if (other) found = null;
  else {
    const last = new Map<string, number>();
    nodes.forEach((n, i) => {
      for (const name of [...n.inputs, ...n.outputs]) if (name !== '') last.set(name, i);
    });
    found = nodes.map(() => []);
    for (const [name, i] of last) found[i]!.push(name);
  }
  cache.set(nodes, found);
  return found;
}
