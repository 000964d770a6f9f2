import { checkOptionNames, show } from '../check.js';
import { AutogradError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { shapesEqual } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';
import { noGrad, enableGrad } from './grad-mode.js';
import { Node, type PartialGrad, isPartial } from './node.js';

export interface BackwardOptions {
  /** Keep the graph's saved values so backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for gradients of gradients. Implies retainGraph. */
  createGraph?: boolean;
}

/** Where gradients end up: accumulated into leaves' .grad, or captured for autograd.grad(). */
interface Sink {
  leaf(t: Tensor, g: Tensor): void;
  /** Called once a leaf has received every gradient it gets in this pass (at least one). */
  leafDone?(t: Tensor): void;
  /** Called with each node's total incoming gradient before the node runs. */
  node(n: Node, g: Tensor): void;
}

function rootGrads(
  roots: readonly Tensor[],
  grads: readonly (Tensor | null | undefined)[] | undefined,
  op: string,
  ones: (t: Tensor) => Tensor,
): Tensor[] {
  return roots.map((root, i) => {
    if (!root.requiresGrad) {
      throw new AutogradError(
        `${op}: tensor ${i} of shape ${fmtShape(root.shape)} does not require grad and has no gradFn; nothing to differentiate`,
      );
    }
    const g = grads?.[i];
    if (g === undefined || g === null) {
      if (root.numel !== 1) {
        throw new AutogradError(
          `${op}: a gradient can be created implicitly only for a one-element output, got shape ${fmtShape(root.shape)}; pass the gradient explicitly`,
        );
      }
      return ones(root);
    }
    if (!shapesEqual(g.shape, root.shape)) {
      throw new ShapeError(
        `${op}: gradient of shape ${fmtShape(g.shape)} does not match the output's shape ${fmtShape(root.shape)}`,
      );
    }
    return g;
  });
}

/**
 * Gives the memory of the gradients a backward pass makes and uses up back to the array pool, so
 * that the pass's later gradients (and the next step's) reuse it instead of new arrays: fewer
 * allocations, and far fewer collections (V8 collects when fresh external memory piles up).
 *
 * A storage is recycled only when the engine can prove that nothing else refers to it: it was made
 * during this pass (after it began), it has not become a leaf's .grad (retained gradients are
 * copies), no rule from outside the library (ax.recordOp) has seen it, and no gradient the engine
 * still holds shares it — counted per
 * storage, since a rule may return its incoming gradient itself or a view of it, to several inputs.
 * A recycled storage is left empty: a use that this reasoning missed throws instead of reading
 * another tensor's values.
 */
class GradientMemory {
  private readonly firstSerial = Storage.nextSerial();
  private readonly held = new Map<Storage, number>();
  private readonly escaped = new Set<Storage>();

  constructor(private readonly enabled: boolean) {}

  /** The engine keeps t (as a node's pending gradient). */
  hold(t: Tensor): void {
    if (!this.enabled) return;
    this.held.set(t.storage, (this.held.get(t.storage) ?? 0) + 1);
  }

  /** Something outside the engine may keep t: its memory is never recycled. */
  escape(t: Tensor): void {
    if (this.enabled) this.escaped.add(t.storage);
  }

  /** The engine is done with t (held or not): recycles its memory if nothing else can reach it. */
  drop(t: Tensor): void {
    if (!this.enabled) return;
    const s = t.storage;
    const count = (this.held.get(s) ?? 0) - 1;
    if (count > 0) {
      this.held.set(s, count);
      return;
    }
    this.held.delete(s);
    if (s.serial >= this.firstSerial && !this.escaped.has(s)) s.recycle();
  }
}

/** Runs the graph in reverse topological order from the roots (Kahn's algorithm on consumer counts). */
function run(
  roots: readonly Tensor[],
  grads: Tensor[],
  retainGraph: boolean,
  createGraph: boolean,
  sink: Sink,
  recycle = false,
): void {
  const memory = new GradientMemory(recycle && !createGraph);
  const pending = new Map<Node, number>(); // node -> consumers not yet run
  const stack: Node[] = [];
  for (const r of roots)
    if (r.gradFn && !pending.has(r.gradFn)) {
      pending.set(r.gradFn, 0);
      stack.push(r.gradFn);
    }
  // How many edges lead to each leaf that has post-accumulate hooks, so they run once its gradient
  // is complete; counted in the same walk over the graph.
  const leafEdges = new Map<Tensor, number>();
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const e of node.edges) {
      if (!(e instanceof Node)) {
        if (e !== null && e.postAccumulateGradHooks) leafEdges.set(e, (leafEdges.get(e) ?? 0) + 1);
        continue;
      }
      const count = pending.get(e);
      if (count === undefined) {
        pending.set(e, 1);
        stack.push(e);
      } else pending.set(e, count + 1);
    }
  }
  const fed = new Set<Tensor>();
  const leafVisited = (t: Tensor) => {
    const left = leafEdges.get(t);
    if (left === undefined) return;
    leafEdges.set(t, left - 1);
    if (left === 1 && fed.has(t)) sink.leafDone?.(t);
  };
  const incoming = new Map<Node, Tensor>();
  // Sums the engine made itself and nobody else has seen yet may be added to in place (when the
  // backward pass is not recorded); anything handed to a node's backward is no longer ours.
  const inPlace = !createGraph;
  const ctx = { createGraph };
  const owned = new Set<Tensor>();
  const add = (n: Node, g: Tensor | PartialGrad) => {
    const prev = incoming.get(n);
    if (isPartial(g)) {
      if (!prev) {
        const dense = g.materialize();
        owned.add(dense);
        incoming.set(n, dense);
        memory.hold(dense);
        return;
      }
      const dense = owned.has(prev) ? prev : prev.clone(); // a copy we may write into
      g.addInto(dense);
      owned.add(dense);
      incoming.set(n, dense);
      if (dense !== prev) {
        memory.hold(dense);
        memory.drop(prev);
      }
      return;
    }
    if (!prev) {
      incoming.set(n, g);
      memory.hold(g);
      return;
    }
    // g is added in, then done with (unless the engine holds it elsewhere too)
    memory.hold(g);
    if (inPlace && owned.has(prev) && shapesEqual(prev.shape, g.shape)) {
      prev.add_(g);
      memory.drop(g);
      return;
    }
    const sum = prev.add(g);
    if (inPlace) owned.add(sum);
    incoming.set(n, sum);
    memory.hold(sum);
    memory.drop(prev);
    memory.drop(g);
  };
  const dense = (g: Tensor | PartialGrad) => (isPartial(g) ? g.materialize() : g);
  roots.forEach((r, i) => {
    if (r.gradFn) return add(r.gradFn, grads[i]!);
    sink.leaf(r, grads[i]!);
    if (!leafEdges.has(r) && r.postAccumulateGradHooks) sink.leafDone?.(r); // a root that is itself a leaf and nowhere else in the graph
  });
  const ready: Node[] = [];
  for (const [n, c] of pending) if (c === 0) ready.push(n);
  while (ready.length > 0) {
    const node = ready.pop()!;
    const g = incoming.get(node);
    incoming.delete(node);
    if (g) owned.delete(g);
    // (a retained gradient is a copy, and the root gradients predate the pass: neither needs marking)
    if (g && node.foreign) memory.escape(g);
    const inputGrads = g ? node.apply(g, ctx) : [];
    if (g) sink.node(node, g);
    node.edges.forEach((e, i) => {
      const ig = inputGrads[i] ?? null;
      if (ig && node.foreign && !isPartial(ig)) memory.escape(ig);
      if (e instanceof Node) {
        if (ig) add(e, ig);
        const c = pending.get(e)! - 1;
        pending.set(e, c);
        if (c === 0) ready.push(e);
      } else if (e !== null) {
        if (ig) {
          const d = dense(ig);
          memory.hold(d);
          sink.leaf(e, d);
          // a leaf that kept the gradient itself (its first .grad) holds its memory from now on
          if (e.grad?.storage === d.storage) memory.escape(d);
          memory.drop(d);
          fed.add(e);
        }
        leafVisited(e);
      }
    });
    // Every gradient this node returned is now held (or used up): the incoming one may go.
    if (g) memory.drop(g);
    if (!retainGraph) node.release();
  }
}

/** Callbacks queued during the current backward() call (null when none is running). */
let endOfPass: (() => void)[] | null = null;

/**
 * Runs `fn` when the backward() call now running has finished (PyTorch's engine queue_callback):
 * a gradient hook uses it to act once all gradients of the pass are in.
 */
export function queueCallback(fn: () => void): void {
  if (endOfPass === null) throw new AutogradError('queueCallback: can only be called while backward() runs');
  endOfPass.push(fn);
}

function withMode<T>(createGraph: boolean, fn: () => T): T {
  return createGraph ? enableGrad(fn) : noGrad(fn);
}

/** A gradient that owns all of its memory, so a leaf can keep it instead of a copy. */
function ownsStorage(g: Tensor): boolean {
  return g.offset === 0 && g.storage.length === g.numel && g.isContiguous();
}

/** tensor.backward(): accumulates d(root)/d(leaf) into every leaf's .grad. */
export function backward(
  root: Tensor,
  gradient?: Tensor | null | BackwardOptions,
  options: BackwardOptions = {},
): void {
  // backward({ retainGraph: true }) as well as backward(gradient, options): an options object may come first.
  if (gradient != null && !(gradient instanceof Tensor)) {
    if (typeof gradient !== 'object' || Array.isArray(gradient))
      throw new ValueError(`backward: gradient must be a Tensor, null or an options object, got ${show(gradient)}`);
    if (options !== undefined && Object.keys(options).length > 0)
      throw new ValueError('backward: give the options once, as backward(options) or backward(gradient, options)');
    options = gradient;
    gradient = null;
  }
  checkOptionNames('backward', options, ['retainGraph', 'createGraph']);
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  // A leaf may take a gradient tensor itself rather than a copy when nothing else can see it:
  // not the caller's gradient, not one already given to another leaf. Leaves holding such a
  // tensor accumulate out of place for the rest of the pass, because the graph may still read it.
  const handedOut = new Set<object>();
  if (gradient) handedOut.add(gradient.storage);
  const taken = new Set<Tensor>();
  const outer = endOfPass;
  const callbacks: (() => void)[] = [];
  endOfPass = callbacks;
  try {
    withMode(createGraph, () => {
      const grads = rootGrads([root], [gradient], 'backward', (t) => t.onesLike());
      run(
        [root],
        grads,
        retainGraph,
        createGraph,
        {
          leaf(t, g) {
            if (t.grad === null) {
              if (createGraph) t.grad = g;
              else if (ownsStorage(g) && !handedOut.has(g.storage)) {
                t.grad = g.detach();
                handedOut.add(g.storage);
                taken.add(t);
              } else t.grad = g.detach().clone();
            } else if (!createGraph && !t.grad.requiresGrad && !taken.has(t)) {
              t.grad.add_(g);
            } else {
              t.grad = t.grad.add(g);
              taken.delete(t);
            }
          },
          leafDone(t) {
            const hooks = t.postAccumulateGradHooks;
            if (hooks) for (const h of [...hooks]) h(t);
          },
          node(n, g) {
            const t = n.retained;
            if (t) t.grad = t.grad ? t.grad.add(g) : createGraph ? g : g.detach().clone();
          },
        },
        true,
      );
    });
  } finally {
    endOfPass = outer;
  }
  for (const fn of callbacks) fn();
}

export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (required for outputs with more than one element). */
  gradOutputs?: (Tensor | null)[];
  /** Return null for inputs the outputs do not depend on instead of raising. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned rather than accumulated into .grad
 * (PyTorch's torch.autograd.grad). With createGraph the results can be differentiated again.
 */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  ins.forEach((t, i) => {
    if (!t.requiresGrad)
      throw new AutogradError(`grad: input ${i} of shape ${fmtShape(t.shape)} does not require grad`);
  });
  const result: (Tensor | null)[] = ins.map(() => null);
  const accumulate = (i: number, g: Tensor) => {
    result[i] = result[i] ? result[i]!.add(g) : g;
  };
  withMode(createGraph, () => {
    const grads = rootGrads(outs, options.gradOutputs, 'grad', (t) => t.onesLike());
    run(outs, grads, retainGraph, createGraph, {
      leaf(t, g) {
        ins.forEach((x, i) => {
          if (x === t) accumulate(i, g);
        });
      },
      node(n, g) {
        ins.forEach((x, i) => {
          if (x.gradFn === n) accumulate(i, g);
        });
      },
    });
  });
  if (!options.allowUnused) {
    result.forEach((r, i) => {
      if (r === null)
        throw new AutogradError(
          `grad: input ${i} was not used to compute the outputs; pass { allowUnused: true } to get null for it`,
        );
    });
  }
  return createGraph ? result : result.map((r) => (r ? r.detach() : r));
}
