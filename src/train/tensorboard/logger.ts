// Keras's TensorBoard callback: every epoch's logs as scalars — training values in <logDir>/train,
// validation values (valLoss → epoch_loss) in <logDir>/validation, so TensorBoard draws the two
// curves on one chart — and, optionally, histograms of every parameter and its gradient and images.
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Callback, EpochEnd, TrainBegin } from '../callbacks.js';
import { SummaryWriter } from './summary-writer.js';
import { isMainProcess } from '../../distributed/current.js';
import { platform } from '../../platform/platform.js';

export interface TensorBoardLoggerOptions {
  /** Histograms of weights and gradients every this many epochs (0: never; default 1). */
  histogramFreq?: number;
  /** Images to log each epoch: tag → [N, C, H, W] in [0, 1] (e.g. samples, attribution heatmaps). */
  images?: (epoch: number) => Record<string, Tensor>;
}

const VALIDATION = /^val([A-Z].*)$/;

export class TensorBoardLogger implements Callback {
  private train: SummaryWriter | null = null;
  private validation: SummaryWriter | null = null;

  constructor(
    readonly logDir: string,
    readonly options: TensorBoardLoggerOptions = {},
  ) {
    if (typeof logDir !== 'string' || logDir === '')
      throw new ValueError('TensorBoardLogger: logDir must be a directory path');
    const f = options.histogramFreq ?? 1;
    if (!Number.isInteger(f) || f < 0)
      throw new ValueError(`TensorBoardLogger: histogramFreq must be an integer ≥ 0, got ${f}`);
  }

  onTrainBegin(_begin: TrainBegin): void {
    if (!isMainProcess()) return; // under distributed training only rank 0 writes
    this.train = new SummaryWriter(platform().join(this.logDir, 'train'));
    this.validation = new SummaryWriter(platform().join(this.logDir, 'validation'));
  }

  onEpochEnd(e: EpochEnd): void {
    if (!this.train || !this.validation) return; // not rank 0
    const train = this.train!,
      validation = this.validation!;
    for (const [key, value] of Object.entries(e.logs)) {
      if (!Number.isFinite(value)) continue;
      const m = VALIDATION.exec(key);
      if (m) validation.addScalar(`epoch_${m[1]![0]!.toLowerCase()}${m[1]!.slice(1)}`, value, e.epoch);
      else train.addScalar(`epoch_${key}`, value, e.epoch);
    }
    const freq = this.options.histogramFreq ?? 1;
    if (freq > 0 && e.epoch % freq === 0) {
      for (const [name, p] of e.model.namedParameters()) {
        train.addHistogram(name, p.detach(), e.epoch);
        // The gradient of the epoch's last batch.
        if (p.grad) train.addHistogram(`${name}/gradient`, p.grad, e.epoch);
      }
    }
    for (const [tag, images] of Object.entries(this.options.images?.(e.epoch) ?? {}))
      train.addImage(tag, images, e.epoch);
  }

  onTrainEnd(): void {
    this.train?.close();
    this.validation?.close();
  }
}
