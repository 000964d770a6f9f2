import { noGrad } from '../autograd/grad-mode.js';
import { DTypeError, DistributedError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { checkOptionNames, show } from '../check.js';
import { fromTypedArray } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { type BackendName, type CommAddon, type CommArray, type Handle, type Reduction, commAddon } from './addon.js';

/** How allReduce and reduceScatter combine the ranks' values. */
export type ReduceOp = 'sum' | 'mean' | 'max' | 'min' | 'product';
const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'mean', 'max', 'min', 'product'];

export interface GroupOptions {
  /** The collective library: 'gloo' (default; any launcher) or 'mpi' (Open MPI; start with mpirun). */
  backend?: BackendName;
  rank: number;
  worldSize: number;
  masterAddr?: string;
  masterPort?: number;
  /** How long a collective (and joining the group) may take before it fails; default 30 000 ms. */
  timeoutMs?: number;
  /** The address other ranks reach this one on; default: the local address that reaches the master. */
  hostname?: string;
}

/**
 * A collective in flight (PyTorch's Work): `wait()` blocks until it is done and throws a
 * DistributedError when it failed.
 */
export class Work {
  private finished = false;
  constructor(
    private readonly addon: CommAddon | null,
    private readonly handle: Handle | null,
    private readonly after: () => void = () => {},
  ) {}

  wait(): void {
    if (this.finished) return;
    if (this.handle) {
      try {
        this.addon!.wait(this.handle);
      } catch (e) {
        this.finished = true;
        throw new DistributedError((e as Error).message);
      }
    }
    this.finished = true;
    this.after();
  }

  isCompleted(): boolean {
    return this.finished || this.handle === null || this.addon!.isCompleted(this.handle);
  }
}

/** The contiguous memory a collective reads and writes for `t`, and how to put it back into `t`. */
function commBuffer(op: string, t: Tensor): { array: CommArray; writeBack: () => void } {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor, got ${show(t)}`);
  if (t.dtype === 'bool') throw new DTypeError(`${op}: bool tensors cannot be reduced; convert with .int() first`);
  if (t.strides.some((s, i) => s === 0 && t.shape[i]! > 1))
    throw new ValueError(
      `${op}: the tensor (shape ${fmtShape(t.shape)}, strides [${t.strides.join(', ')}]) is an expanded view whose elements share memory; clone() it first`,
    );
  const c = t.isContiguous() ? t : t.contiguous();
  const array = c.data.subarray(c.offset, c.offset + c.numel) as CommArray;
  const writeBack = () => {
    if (c === t) t.storage.version++;
    else noGrad(() => t.copy_(c));
  };
  return { array, writeBack };
}

function reduction(op: string, value: unknown): ReduceOp {
  if (!REDUCE_OPS.includes(value as ReduceOp))
    throw new ValueError(`${op}: op must be one of ${REDUCE_OPS.map((o) => `'${o}'`).join(', ')}, got ${show(value)}`);
  return value as ReduceOp;
}

function divideInPlace(array: CommArray, n: number): void {
  for (let i = 0; i < array.length; i++) array[i] = array[i]! / n;
}

/**
 * A group of processes that run collectives together, over Gloo (a full mesh of TCP connections) or
 * MPI.
 * Every rank must issue the same collectives in the same order, with tensors of the same size.
 * A group of one needs no library: its collectives return their input.
 */
export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly timeoutMs: number;
  readonly backend: BackendName;
  private handle: Handle | null;
  private addon: CommAddon | null = null;
  private destroyed = false;

  constructor(options: GroupOptions) {
    checkOptionNames('ProcessGroup', options, [
      'backend',
      'rank',
      'worldSize',
      'masterAddr',
      'masterPort',
      'timeoutMs',
      'hostname',
    ]);
    const { rank, worldSize } = options;
    if (!Number.isInteger(worldSize) || worldSize < 1)
      throw new ValueError(`ProcessGroup: worldSize must be a positive integer, got ${show(worldSize)}`);
    if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize)
      throw new ValueError(`ProcessGroup: rank must be an integer in [0, ${worldSize}), got ${show(rank)}`);
    const timeoutMs = options.timeoutMs ?? 30000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2 ** 31 - 1)
      throw new ValueError(`ProcessGroup: timeoutMs must be a positive integer, got ${show(options.timeoutMs)}`);
    this.rank = rank;
    this.worldSize = worldSize;
    this.timeoutMs = timeoutMs;
    const backend = options.backend ?? 'gloo';
    if (backend !== 'gloo' && backend !== 'mpi')
      throw new ValueError(`ProcessGroup: backend must be 'gloo' or 'mpi', got ${show(backend)}`);
    this.backend = backend;
    if (worldSize === 1) {
      this.handle = null;
      return;
    }
    try {
      this.addon = commAddon(backend);
      this.handle = this.addon.createGroup(
        rank,
        worldSize,
        options.masterAddr ?? '127.0.0.1',
        options.masterPort ?? 29500,
        timeoutMs,
        options.hostname ?? '',
      );
    } catch (e) {
      if (e instanceof DistributedError) throw e;
      throw new DistributedError(`distributed.init (rank ${rank} of ${worldSize}): ${(e as Error).message}`);
    }
  }

  /** The port rank 0's store listens on (useful when it was started on port 0). */
  get storePort(): number {
    return this.handle ? this.addon!.storePort(this.handle) : 0;
  }

  private live(op: string): Handle | null {
    if (this.destroyed) throw new DistributedError(`${op}: the process group was destroyed`);
    return this.handle;
  }

  private enqueue(
    op: string,
    array: CommArray | null,
    out: CommArray | null,
    red: Reduction,
    root: number,
  ): Handle | null {
    const h = this.live(op);
    if (!h) return null;
    const kind =
      op === 'allReduce' || op === 'reduceScatter' ? 'allReduce' : (op as 'broadcast' | 'allGather' | 'barrier');
    return this.addon!.enqueue(h, kind, op, array, out, red, root);
  }

  /**
   * Combines `t` across ranks in place (every rank ends with the result) and returns it; with
   * `{ asyncOp: true }` returns a Work to wait on instead, and `t` must not be touched until then.
   */
  allReduce(t: Tensor, options?: { op?: ReduceOp; asyncOp?: false }): Tensor;
  allReduce(t: Tensor, options: { op?: ReduceOp; asyncOp: true }): Work;
  allReduce(t: Tensor, options: { op?: ReduceOp; asyncOp?: boolean } = {}): Tensor | Work {
    checkOptionNames('allReduce', options, ['op', 'asyncOp']);
    const op = reduction('allReduce', options.op ?? 'sum');
    if (op === 'mean' && t instanceof Tensor && t.dtype === 'int32')
      throw new DTypeError("allReduce: op 'mean' needs a floating-point tensor; use 'sum' for int32");
    const { array, writeBack } = commBuffer('allReduce', t);
    const work = this.allReduceArray(array, op, writeBack);
    if (options.asyncOp) return work;
    work.wait();
    return t;
  }

  /** allReduce on a typed array the caller owns (DistributedDataParallel's gradient buckets). */
  allReduceArray(array: CommArray, op: ReduceOp = 'sum', after: () => void = () => {}): Work {
    const handle = this.enqueue('allReduce', array, null, op === 'mean' ? 'sum' : op, 0);
    return new Work(this.addon, handle, () => {
      if (op === 'mean' && this.worldSize > 1) divideInPlace(array, this.worldSize);
      after();
    });
  }

  /** Copies rank `src`'s `t` into every other rank's `t` (in place). */
  broadcast(t: Tensor, options?: { src?: number; asyncOp?: false }): Tensor;
  broadcast(t: Tensor, options: { src?: number; asyncOp: true }): Work;
  broadcast(t: Tensor, options: { src?: number; asyncOp?: boolean } = {}): Tensor | Work {
    checkOptionNames('broadcast', options, ['src', 'asyncOp']);
    const src = options.src ?? 0;
    if (!Number.isInteger(src) || src < 0 || src >= this.worldSize)
      throw new ValueError(`broadcast: src must be a rank in [0, ${this.worldSize}), got ${show(src)}`);
    const { array, writeBack } = commBuffer('broadcast', t);
    const work = new Work(this.addon, this.enqueue('broadcast', array, null, 'sum', src), writeBack);
    if (options.asyncOp) return work;
    work.wait();
    return t;
  }

  /** Every rank's `t`, in rank order (all ranks must pass tensors of one shape and dtype). */
  allGather(t: Tensor): Tensor[] {
    const { array } = commBuffer('allGather', t);
    const out = new (array.constructor as new (n: number) => CommArray)(array.length * this.worldSize);
    if (this.worldSize === 1) out.set(array);
    new Work(this.addon, this.enqueue('allGather', array, out, 'sum', 0)).wait();
    return Array.from({ length: this.worldSize }, (_, r) =>
      fromTypedArray(out.subarray(r * array.length, (r + 1) * array.length), t.shape),
    );
  }

  /**
   * Reduces `t` across ranks and returns this rank's block of the result along dim 0 (`t`'s first
   * dimension must divide by the world size). Gloo has no reduce-scatter of its own for arbitrary
   * sizes, so this is an all-reduce followed by a slice, as PyTorch's Gloo backend does.
   */
  reduceScatter(t: Tensor, options: { op?: ReduceOp } = {}): Tensor {
    checkOptionNames('reduceScatter', options, ['op']);
    if (!(t instanceof Tensor)) throw new ValueError(`reduceScatter: expected a Tensor, got ${show(t)}`);
    if (t.ndim === 0 || t.shape[0]! % this.worldSize !== 0)
      throw new ShapeError(
        `reduceScatter: dim 0 of ${fmtShape(t.shape)} must divide into ${this.worldSize} equal blocks (one per rank)`,
      );
    const op = reduction('reduceScatter', options.op ?? 'sum');
    const copy = t.detach().clone();
    this.allReduce(copy, { op });
    const block = t.shape[0]! / this.worldSize;
    return copy.narrow(0, this.rank * block, block).clone();
  }

  /** Returns once every rank has called barrier(). */
  barrier(): void {
    new Work(this.addon, this.enqueue('barrier', null, null, 'sum', 0)).wait();
  }

  /** Leaves the group: queued collectives finish first, then the connections close. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.handle) this.addon!.destroy(this.handle);
  }
}
