/**
 * Training on several processes (and machines): process groups over Gloo, collectives on tensors,
 * DistributedDataParallel, DistributedSampler. The shape of torch.distributed.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { ReduceOp, Work } from './process-group.js';
import { defaultGroup } from './state.js';

export { ProcessGroup, Work } from './process-group.js';
export type { ReduceOp, GroupOptions } from './process-group.js';
export {
  init,
  init as initProcessGroup,
  destroy,
  destroy as destroyProcessGroup,
  isInitialized,
  getRank,
  getWorldSize,
  isMainProcess,
} from './state.js';
export type { InitOptions } from './state.js';
export { readLaunchEnv } from './launch-env.js';
export type { LaunchEnv } from './launch-env.js';
export { DistributedDataParallel } from './ddp.js';
export type { DDPOptions } from './ddp.js';
export { DistributedSampler } from './sampler.js';
export { SyncBatchNorm, allReduceWithGrad } from './sync-batch-norm.js';
export type { DistributedSamplerOptions } from './sampler.js';
export { gatherRows } from './gather.js';
export { glooAvailable, backendAvailable } from './addon.js';
export type { BackendName } from './addon.js';
export { launch } from './launcher.js';
export type { LaunchOptions } from './launcher.js';

/** allReduce on the default group: in place, every rank ends with the combined tensor. */
export function allReduce(t: Tensor, options?: { op?: ReduceOp; asyncOp?: false }): Tensor;
export function allReduce(t: Tensor, options: { op?: ReduceOp; asyncOp: true }): Work;
export function allReduce(t: Tensor, options: { op?: ReduceOp; asyncOp?: boolean } = {}): Tensor | Work {
  return defaultGroup('allReduce').allReduce(t, options as { op?: ReduceOp; asyncOp: true });
}

/** broadcast on the default group: rank `src`'s tensor copied into every rank's (in place). */
export function broadcast(t: Tensor, options: { src?: number } = {}): Tensor {
  return defaultGroup('broadcast').broadcast(t, options);
}

/** allGather on the default group: every rank's tensor, in rank order. */
export function allGather(t: Tensor): Tensor[] {
  return defaultGroup('allGather').allGather(t);
}

/** reduceScatter on the default group: this rank's block (along dim 0) of the reduced tensor. */
export function reduceScatter(t: Tensor, options: { op?: ReduceOp } = {}): Tensor {
  return defaultGroup('reduceScatter').reduceScatter(t, options);
}

/** Waits until every rank of the default group reaches the barrier. */
export function barrier(): void {
  defaultGroup('barrier').barrier();
}
