import { ValueError } from '../errors.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { saveSafetensors } from '../io/safetensors.js';
import type { Module } from '../nn/module.js';
import type { LRScheduler, ReduceLROnPlateau } from '../optim/lr-scheduler.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat } from '../ops/combine.js';
import { inEvalMode } from './eval-mode.js';
import { isMainProcess } from '../distributed/current.js';
import { platform } from '../platform/platform.js';
import { confusionMatrix } from './metrics.js';
import type { Batch } from './trainer.js';

/** What fit is about to train; a restoring callback may move initialEpoch and fill the history. */
export interface TrainBegin {
  model: Module;
  optimizer: Optimizer<{ lr: number }>;
  scheduler: LRScheduler | ReduceLROnPlateau | undefined;
  initialEpoch: number;
  history: { epochs: Record<string, number>[] };
  callbacks: readonly Callback[];
}

/** What a callback sees at the end of an epoch: the logs hold loss, valLoss and every metric. */
export interface EpochEnd {
  epoch: number;
  logs: Record<string, number>;
  model: Module;
  optimizer: Optimizer<{ lr: number }>;
  scheduler: LRScheduler | ReduceLROnPlateau | undefined;
  history: { epochs: Record<string, number>[] };
  callbacks: readonly Callback[];
  /** Set to true to end training after this epoch. */
  stop: boolean;
}

/** A callback's own state for BackupAndRestore: JSON values and tensors. */
export interface CallbackState {
  values: Record<string, unknown>;
  tensors?: Record<string, Tensor>;
}

/**
 * Hooks into fit; every method is optional. `restore` runs on every callback before any
 * onTrainBegin, and `afterEpochEnd` after every callback's onEpochEnd (so a backup sees the state
 * the others reached in that epoch).
 */
export interface Callback {
  restore?(begin: TrainBegin): void;
  afterEpochEnd?(e: EpochEnd): void;
  /** State that a resumed run needs (saved and restored by BackupAndRestore). */
  stateDict?(): CallbackState;
  loadStateDict?(state: Required<CallbackState>): void;
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

  constructor(
    readonly options: {
      monitor?: string;
      patience?: number;
      minDelta?: number;
      mode?: 'min' | 'max';
      restoreBestWeights?: boolean;
    } = {},
  ) {}

  onEpochEnd(e: EpochEnd): void {
    const key = this.options.monitor ?? 'valLoss',
      mode = this.options.mode ?? 'min';
    const v = e.logs[key];
    if (v === undefined)
      throw new ValueError(`EarlyStopping: no '${key}' in the epoch logs (have: ${Object.keys(e.logs).join(', ')})`);
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

  stateDict(): CallbackState {
    // JSON has no NaN: "no best yet" is saved as null.
    return {
      values: {
        best: Number.isNaN(this.best) ? null : this.best,
        bestEpoch: this.bestEpoch,
        wait: this.wait,
        stoppedEpoch: this.stoppedEpoch,
      },
      tensors: this.bestWeights ?? {},
    };
  }

  loadStateDict(state: Required<CallbackState>): void {
    const v = state.values as { best: number | null; bestEpoch: number; wait: number; stoppedEpoch: number };
    this.best = v.best ?? NaN;
    this.bestEpoch = v.bestEpoch;
    this.wait = v.wait;
    this.stoppedEpoch = v.stoppedEpoch;
    this.bestWeights = Object.keys(state.tensors).length > 0 ? state.tensors : null;
  }
}

/** Saves the weights (safetensors, atomically) every epoch, or only when `monitor` improves. */
export class ModelCheckpoint implements Callback {
  private best = NaN;

  constructor(
    readonly path: string,
    readonly options: { monitor?: string; mode?: 'min' | 'max'; saveBestOnly?: boolean } = {},
  ) {}

  onEpochEnd(e: EpochEnd): void {
    if (!isMainProcess()) return; // under distributed training only rank 0 writes
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

  /** The best value so far, so a resumed run does not overwrite the best file with a worse one. */
  stateDict(): CallbackState {
    return { values: { best: Number.isNaN(this.best) ? null : this.best } };
  }

  loadStateDict(state: Required<CallbackState>): void {
    this.best = (state.values['best'] as number | null) ?? NaN;
  }
}

export interface MetricsLoggerOptions {
  /**
   * JSON lines only: add each epoch's confusion matrix (counts[true][predicted]) of the model's
   * arg-max on these batches, for the dashboard.
   */
  confusionMatrix?: { data: Iterable<Batch>; numClasses?: number };
}

/** Appends one line per epoch: CSV with a header, or JSON lines (what `axon dashboard` reads). */
export class MetricsLogger implements Callback {
  private columns: string[] | null = null;

  constructor(
    readonly path: string,
    readonly format: 'csv' | 'jsonl' = 'csv',
    readonly options: MetricsLoggerOptions = {},
  ) {
    if (options.confusionMatrix && format !== 'jsonl')
      throw new ValueError('MetricsLogger: a confusion matrix needs the jsonl format');
  }

  onTrainBegin(begin: TrainBegin): void {
    if (!isMainProcess()) return; // under distributed training only rank 0 writes
    this.columns = null;
    platform().mkdirp(platform().dirname(this.path));
    // A resumed run appends to the log of the run it continues.
    if (begin.initialEpoch === 0 || !platform().exists(this.path)) platform().writeFile(this.path, '');
    else if (this.format === 'csv') this.columns = ['epoch', ...Object.keys(begin.history.epochs[0] ?? {})];
  }

  onEpochEnd(e: EpochEnd): void {
    if (!isMainProcess()) return; // under distributed training only rank 0 writes
    const row = { epoch: e.epoch, ...e.logs };
    if (this.format === 'jsonl') {
      const cm = this.options.confusionMatrix;
      const extra = cm ? { confusionMatrix: confusionMatrixOn(e.model, cm.data, cm.numClasses) } : {};
      return platform().appendFile(this.path, `${JSON.stringify({ ...row, ...extra })}\n`);
    }
    if (!this.columns) {
      this.columns = Object.keys(row);
      platform().appendFile(this.path, `${this.columns.join(',')}\n`);
    }
    platform().appendFile(
      this.path,
      `${this.columns.map((c) => (row as Record<string, number>)[c] ?? '').join(',')}\n`,
    );
  }
}

function confusionMatrixOn(model: Module, data: Iterable<Batch>, numClasses?: number): number[][] {
  return inEvalMode(model, () => {
    const preds: Tensor[] = [],
      targets: Tensor[] = [];
    for (const batch of data) {
      preds.push(model.forward(...batch.slice(0, -1)).argmax(1));
      targets.push(batch[batch.length - 1]!.flatten());
    }
    return confusionMatrix(cat(preds), cat(targets), numClasses);
  });
}

/**
 * Keras's BackupAndRestore: saves the whole training state (model, optimizer, scheduler, epoch,
 * generators, history, and the state of callbacks that have one, such as EarlyStopping) after
 * every epoch, atomically; when fit starts and the file exists, it restores that state and
 * training continues after the saved epoch. An interrupted run resumed this way ends
 * bit-identical to an uninterrupted one. Deletes the file when training completes unless `keep`
 * is set.
 */
export class BackupAndRestore implements Callback {
  constructor(
    readonly path: string,
    readonly options: { generators?: Record<string, Generator>; keep?: boolean } = {},
  ) {}

  restore(begin: TrainBegin): void {
    if (!platform().exists(this.path)) return;
    const { epoch, extra, tensors } = loadCheckpoint(this.path, {
      model: begin.model,
      optimizer: begin.optimizer,
      scheduler: begin.scheduler,
      generators: this.options.generators,
    });
    begin.initialEpoch = epoch;
    begin.history.epochs.splice(0, Infinity, ...((extra['history'] as Record<string, number>[] | undefined) ?? []));
    const states = (extra['callbacks'] as (Record<string, unknown> | null)[] | undefined) ?? [];
    begin.callbacks.forEach((c, i) => {
      const values = states[i];
      if (!values || !c.loadStateDict) return;
      const prefix = `callback${i}.`;
      const own = Object.fromEntries(
        Object.entries(tensors)
          .filter(([k]) => k.startsWith(prefix))
          .map(([k, t]) => [k.slice(prefix.length), t]),
      );
      c.loadStateDict({ values, tensors: own });
    });
  }

  afterEpochEnd(e: EpochEnd): void {
    if (!isMainProcess()) return; // under distributed training only rank 0 writes
    const tensors: Record<string, Tensor> = {};
    const callbacks = e.callbacks.map((c, i) => {
      if (!c.stateDict) return null;
      const state = c.stateDict();
      for (const [k, t] of Object.entries(state.tensors ?? {})) tensors[`callback${i}.${k}`] = t;
      return state.values;
    });
    saveCheckpoint(this.path, {
      model: e.model,
      optimizer: e.optimizer,
      scheduler: e.scheduler,
      epoch: e.epoch,
      generators: this.options.generators,
      extra: { history: e.history.epochs, callbacks },
      tensors,
    });
  }

  onTrainEnd(): void {
    if (!isMainProcess()) return;
    if (!this.options.keep) platform().remove(this.path);
  }
}
