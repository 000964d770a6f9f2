// The model and data the distributed tests share between the ranks and the single-process reference.
import * as ax from '../../src/index.js';

export const DDP_STEPS = 5;
export const DDP_LR = 0.05;

export function ddpModel(): ax.nn.Sequential {
  ax.manualSeed(7);
  return new ax.nn.Sequential(new ax.nn.Linear(4, 8), new ax.nn.Tanh(), new ax.nn.Linear(8, 1));
}

export function ddpData(): { x: ax.Tensor; y: ax.Tensor } {
  const g = new ax.Generator(11);
  const x = ax.randn([16, 4], { generator: g });
  const y = x.sum(1, { keepdim: true }).sin();
  return { x, y };
}

/** With batch norm: SyncBatchNorm on the ranks' halves must match BatchNorm on the whole batch. */
export function ddpBatchNormModel(): ax.nn.Sequential {
  ax.manualSeed(7);
  return new ax.nn.Sequential(
    new ax.nn.Linear(4, 6),
    new ax.nn.BatchNorm1d(6),
    new ax.nn.Tanh(),
    new ax.nn.Linear(6, 1),
  );
}

/**
 * What one process reaches on the whole batch: DDP_STEPS of SGD (lr DDP_LR) on ddpData(), the
 * reference every rank's replica must end equal to.
 */
export function trainOnWholeBatch(model: ax.nn.Module, momentum = 0): ax.nn.Module {
  const opt = new ax.optim.SGD(model.parameters(), { lr: DDP_LR, momentum });
  const { x, y } = ddpData();
  for (let step = 0; step < DDP_STEPS; step++) {
    opt.zeroGrad();
    ax.nn.functional.mseLoss(model.forward(x), y).backward();
    opt.step();
  }
  return model;
}
