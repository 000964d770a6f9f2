/** optim: optimizers with PyTorch's update rules, parameter groups and state dicts. Functions are guarded (src/guard.ts). */
export { Optimizer, type ParamGroup, type ParamState, type OptimizerStateDict } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export {
  Adamax,
  NAdam,
  RAdam,
  Adadelta,
  type AdamaxOptions,
  type NAdamOptions,
  type RAdamOptions,
  type AdadeltaOptions,
} from './adam-variants.js';
export { LBFGS, type LBFGSOptions } from './lbfgs.js';
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  LinearLR,
  OneCycleLR,
  SequentialLR,
  ReduceLROnPlateau,
  type OneCycleOptions,
  type PlateauOptions,
  type SchedulerState,
} from './lr-scheduler.js';
export { LambdaLR, MultiplicativeLR, PolynomialLR, CyclicLR, type CyclicOptions } from './lr-lambda.js';
import { guardAll } from '../guard.js';
import * as clip from './clip.js';

export const { clipGradNorm, clipGradValue, l1Penalty, l2Penalty } = guardAll(clip, 'optim.');
