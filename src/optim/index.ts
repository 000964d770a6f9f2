/** optim: optimizers with PyTorch's update rules, parameter groups and state dicts. */
export { Optimizer, type ParamGroup, type ParamState, type OptimizerStateDict } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export {
  LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, LinearLR,
  OneCycleLR, SequentialLR, ReduceLROnPlateau, type OneCycleOptions, type PlateauOptions, type SchedulerState,
} from './lr-scheduler.js';
export { clipGradNorm, clipGradValue, l1Penalty, l2Penalty } from './clip.js';
