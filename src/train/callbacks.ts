import { appendFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { ValueError } from '../errors.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { saveSafetensors } from '../io/safetensors.js';
import type { Module } from '../nn/module.js';
import type { LRScheduler, ReduceLROnPlateau } from '../optim/lr-scheduler.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

/** What fit is about to train; a restoring callback may move initialEpoch and fill the history. */
export interface TrainBegin {
  model: Module;
  optimizer: Optimizer<{ lr: number }>;
  scheduler: LRScheduler | ReduceLROnPlateau | undefined;
  initialEpoch: number;
  history: { epochs: Record<string, number>[] };
}

/** What a callback sees at the end of an epoch: the logs hold loss, valLoss and every metric. */
export interface EpochEnd {
  epoch: number;
  logs: Record<string, number>;
  model: Module;
  optimizer: Optimizer<{ lr: number }>;
  scheduler: LRScheduler | ReduceLROnPlateau | undefined;
  history: { epochs: Record<string, number>[] };
  /** Set to true to end training after this epoch. */
  stop: boolean;
}

/** Hooks into fit; every method is optional. `restore` runs on every callback before any onTrainBegin. */
export interface Callback {
  restore?(begin: TrainBegin): void;
  onTrainBegin?(begin: TrainBegin): void;
  onEpochEnd?(e: EpochEnd): void;
  onBatchEnd?(batch: number, logs: { loss: number }): void;
  onTrainEnd?(model: Module): void;
}

function better(mode: 'min' | 'max', a: number, b: number, minDelta: number): boolean {
  return mode === 'min' ? a < b - minDelta : a > b + minDelta;
}

function snapshot(model: Module): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()]));
}

/** Stops when `monitor` has not improved by minDelta for `patience` epochs; can restore the best weights. */
export class EarlyStopping implements Callback {
  best = NaN;
  bestEpoch = -1;
  stoppedEpoch = -1;
  private wait = 0;
  private bestWeights: Record<string, Tensor> | null = null;

  constructor(readonly options: { monitor?: string; patience?: number; minDelta?: number; mode?: 'min' | 'max'; restoreBestWeights?: boolean } = {}) {}

  onEpochEnd(e: EpochEnd): void {
    const key = this.options.monitor ?? 'valLoss', mode = this.options.mode ?? 'min';
    const v = e.logs[key];
    if (v === undefined) throw new ValueError(`EarlyStopping: no '${key}' in the epoch logs (have: ${Object.keys(e.logs).join(', ')})`);
    if (Number.isNaN(this.best) || better(mode, v, this.best, this.options.minDelta ?? 0)) {
      this.best = v;
      this.bestEpoch = e.epoch;
      this.wait = 0;
      if (this.options.restoreBestWeights) this.bestWeights = snapshot(e.model);
      return;
    }
    this.wait++;
    if (this.wait >= (this.options.patience ?? 5)) {
      e.stop = true;
      this.stoppedEpoch = e.epoch;
    }
  }

  onTrainEnd(model: Module): void {
    if (this.bestWeights) model.loadStateDict(this.bestWeights);
  }
}

/** Saves the weights (safetensors, atomically) every epoch, or only when `monitor` improves. */
export class ModelCheckpoint implements Callback {
  private best = NaN;

  constructor(readonly path: string, readonly options: { monitor?: string; mode?: 'min' | 'max'; saveBestOnly?: boolean } = {}) {}

  onEpochEnd(e: EpochEnd): void {
    const file = this.path.replace('{epoch}', String(e.epoch));
    if (!this.options.saveBestOnly) return saveSafetensors(file, e.model.stateDict(), { epoch: String(e.epoch) });
    const key = this.options.monitor ?? 'valLoss';
    const v = e.logs[key];
    if (v === undefined) throw new ValueError(`ModelCheckpoint: no '${key}' in the epoch logs`);
    if (Number.isNaN(this.best) || better(this.options.mode ?? 'min', v, this.best, 0)) {
      this.best = v;
      saveSafetensors(file, e.model.stateDict(), { epoch: String(e.epoch), [key]: String(v) });
    }
  }
}

/** Appends one line per epoch: CSV with a header, or JSON lines. */
export class MetricsLogger implements Callback {
  private columns: string[] | null = null;

  constructor(readonly path: string, readonly format: 'csv' | 'jsonl' = 'csv') {}

  onTrainBegin(begin: TrainBegin): void {
    this.columns = null;
    // A resumed run appends to the log of the run it continues.
    if (begin.initialEpoch === 0 || !existsSync(this.path)) writeFileSync(this.path, '');
    else if (this.format === 'csv') this.columns = ['epoch', ...Object.keys(begin.history.epochs[0] ?? {})];
  }

  onEpochEnd(e: EpochEnd): void {
    const row = { epoch: e.epoch, ...e.logs };
    if (this.format === 'jsonl') return appendFileSync(this.path, `${JSON.stringify(row)}\n`);
    if (!this.columns) {
      this.columns = Object.keys(row);
      appendFileSync(this.path, `${this.columns.join(',')}\n`);
    }
    appendFileSync(this.path, `${this.columns.map((c) => (row as Record<string, number>)[c] ?? '').join(',')}\n`);
  }
}

/**
 * Keras's BackupAndRestore: saves the whole training state (model, optimizer, scheduler, epoch,
 * generators, history) after every epoch, atomically; when fit starts and the file exists, it
 * restores that state and training continues after the saved epoch. An interrupted run resumed
 * this way ends bit-identical to an uninterrupted one. Deletes the file when training completes
 * unless `keep` is set.
 */
export class BackupAndRestore implements Callback {
  constructor(readonly path: string, readonly options: { generators?: Record<string, Generator>; keep?: boolean } = {}) {}

  restore(begin: TrainBegin): void {
    if (!existsSync(this.path)) return;
    const { epoch, extra } = loadCheckpoint(this.path, { model: begin.model, optimizer: begin.optimizer, scheduler: begin.scheduler, generators: this.options.generators });
    begin.initialEpoch = epoch;
    begin.history.epochs.splice(0, Infinity, ...((extra['history'] as Record<string, number>[] | undefined) ?? []));
  }

  onEpochEnd(e: EpochEnd): void {
    saveCheckpoint(this.path, { model: e.model, optimizer: e.optimizer, scheduler: e.scheduler, epoch: e.epoch, generators: this.options.generators, extra: { history: e.history.epochs } });
  }

  onTrainEnd(): void {
    if (!this.options.keep) rmSync(this.path, { force: true });
  }
}
