import { ShapeError, ValueError, fmtShape } from '../errors.js';
import type { Module } from '../nn/module.js';
import { cat } from '../ops/combine.js';
import { checkInteger, isRecord, optionsArg, show, tensorArg } from '../check.js';
import { Optimizer } from '../optim/optimizer.js';
import { type LRScheduler, ReduceLROnPlateau } from '../optim/lr-scheduler.js';
import { clipGradNorm } from '../optim/clip.js';
import { autocast } from '../ops/autocast.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Callback, type EpochEnd, MetricsLogger, type TrainBegin } from './callbacks.js';
import { checkIterable, checkModel, inEvalMode } from './eval-mode.js';
import { percentile } from './latency.js';
import { currentGroup } from '../distributed/current.js';
import { platform } from '../platform/platform.js';
import { gatherRows } from '../distributed/gather.js';
import type { ProcessGroup } from '../distributed/process-group.js';
import { DataLoader } from '../data/dataloader.js';
import { fromTypedArray } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';

/** A batch as loaders yield it: inputs then target. */
export type Batch = readonly Tensor[];
export type MetricFn = (output: Tensor, target: Tensor) => number;

export interface FitOptions {
  epochs: number;
  optimizer: Optimizer<{ lr: number }>;
  /** Called as loss(output, target), or loss(output, target, { reduction: 'none' }) with sampleWeights. */
  loss: (output: Tensor, target: Tensor, options?: { reduction?: 'none' | 'mean' | 'sum' }) => Tensor;
  /**
   * Each training batch ends with per-sample weights [..., target, weight] (Keras's sample_weight):
   * the loss is taken per sample (`reduction: 'none'`) and averaged as Σ w·loss / Σ w. Validation
   * batches stay [..., target].
   */
  sampleWeights?: boolean;
  validation?: Iterable<Batch>;
  metrics?: Record<string, MetricFn>;
  callbacks?: Callback[];
  /** Stepped after every epoch (ReduceLROnPlateau gets the validation loss) or, with `'batch'`, after every batch. */
  scheduler?: LRScheduler | ReduceLROnPlateau;
  schedulerStep?: 'epoch' | 'batch';
  clipGradNorm?: number;
  /**
   * 'bfloat16': each training step's forward, loss and backward run in `ax.autocast('bfloat16')`
   * (matrix products with bfloat16 operands, float32 accumulation; parameters stay float32).
   */
  autocast?: 'bfloat16';
  /** A terminal progress bar; off when stdout is not a TTY or CI is set. */
  progress?: boolean;
  log?: (line: string) => void;
  /** Epochs already done (Keras's initial_epoch): training runs epochs initialEpoch+1 … epochs. */
  initialEpoch?: number;
  /**
   * Serve the live training dashboard while fit runs: metrics go to <logDir>/<run>/metrics.jsonl
   * (default logDir 'runs', run 'run-<date>-<time>'), the URL is logged. With confusionMatrix, each
   * epoch's confusion matrix on the validation data is logged too.
   */
  dashboard?: boolean | DashboardOptions;
}

export interface DashboardOptions {
  logDir?: string;
  run?: string;
  port?: number;
  host?: string;
  confusionMatrix?: boolean;
}

/** The MetricsLogger that feeds the dashboard, after starting the dashboard's server. */
function dashboardLogger(o: FitOptions): Callback[] {
  if (!o.dashboard) return [];
  const d: DashboardOptions = o.dashboard === true ? {} : optionsArg('fit: dashboard', o.dashboard);
  const logDir = d.logDir ?? 'runs';
  const run = d.run ?? `run-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
  platform().mkdirp(platform().join(logDir, run));
  const handle = platform().startDashboard(logDir, { port: d.port, host: d.host });
  (o.log ?? console.log)(`dashboard: ${handle.url} (run '${run}' in ${logDir})`);
  const cm = d.confusionMatrix && o.validation ? { data: o.validation } : undefined;
  return [new MetricsLogger(platform().join(logDir, run, 'metrics.jsonl'), 'jsonl', { confusionMatrix: cm })];
}

export interface History {
  epochs: Record<string, number>[];
}

function forward(model: Module, batch: Batch): [Tensor, Tensor] {
  if (batch.length < 2)
    throw new ValueError(`fit: a batch must hold inputs and a target, got ${batch.length} tensor(s)`);
  const inputs = batch.slice(0, -1);
  return [model.forward(...inputs), batch[batch.length - 1]!];
}

function forwardWeighted(model: Module, batch: Batch): [Tensor, Tensor, Tensor] {
  if (batch.length < 3)
    throw new ValueError(
      `fit: with sampleWeights a batch must hold inputs, a target and weights, got ${batch.length} tensor(s)`,
    );
  return [model.forward(...batch.slice(0, -2)), batch[batch.length - 2]!, batch[batch.length - 1]!];
}

/** Σ w·loss / Σ w over the batch, from the loss's per-sample values. */
function weightedLoss(
  loss: FitOptions['loss'],
  out: Tensor,
  target: Tensor,
  weight: Tensor,
  epoch: number,
  batch: number,
): Tensor {
  const N = target.shape[0] ?? 0;
  const w = weight.float().flatten();
  if (w.shape[0] !== N)
    throw new ShapeError(`fit: sample weights ${fmtShape(weight.shape)} do not match a batch of ${N} targets`);
  const perSample = loss(out, target, { reduction: 'none' });
  if (perSample.ndim === 0 || perSample.shape[0] !== N)
    throw new ValueError(
      `fit: sampleWeights need a loss that returns one value per sample with { reduction: 'none' }; it returned ${fmtShape(perSample.shape)} for ${N} samples`,
    );
  const total = w.sum().item();
  if (!(total > 0) || w.min().item() < 0)
    throw new ValueError(`fit: sample weights must be ≥ 0 with a positive sum (epoch ${epoch}, batch ${batch})`);
  const l = perSample.ndim > 1 ? perSample.reshape(N, -1).mean(1) : perSample;
  return l.mul(w).sum().div(total);
}

/**
 * Keras-style fit on a PyTorch-style model: epochs over a loader, validation and metrics every
 * epoch, callbacks, LR scheduling, gradient clipping, and per-epoch timing (wall and CPU seconds,
 * samples/s). Hand-written loops stay just as possible; this only saves writing them.
 */
export function fit(model: Module, train: Iterable<Batch>, o: FitOptions): History {
  checkModel('fit', model);
  checkIterable('fit', 'train', train);
  if (!isRecord(o)) throw new ValueError(`fit: options { epochs, optimizer, loss } are required, got ${show(o)}`);
  checkInteger('fit', 'epochs', o.epochs, 0);
  if (!(o.optimizer instanceof Optimizer))
    throw new ValueError(`fit: optimizer must be an optimizer, got ${show(o.optimizer)}`);
  if (typeof o.loss !== 'function')
    throw new ValueError(`fit: loss must be a function (output, target) => Tensor, got ${show(o.loss)}`);
  if (o.validation !== undefined) checkIterable('fit', 'validation', o.validation);
  if (o.autocast !== undefined && o.autocast !== 'bfloat16')
    throw new ValueError(`fit: autocast must be 'bfloat16' or left out, got ${show(o.autocast)}`);
  const cast = <T>(fn: () => T): T => (o.autocast ? autocast(o.autocast, fn) : fn());
  // Under distributed training every rank runs the same loop; only rank 0 prints, logs and saves
  // (the built-in callbacks check the rank themselves), and epoch figures are reduced across ranks.
  const group = currentGroup();
  const main = !group || group.rank === 0;
  const callbacks = [...(o.callbacks ?? []), ...(main ? dashboardLogger(o) : [])];
  const log = main ? o.log : undefined;
  const history: History = { epochs: [] };
  const showBar = main && (o.progress ?? true);
  const sampler = train instanceof DataLoader ? train.options.sampler : undefined;
  const begin: TrainBegin = {
    model,
    optimizer: o.optimizer,
    scheduler: o.scheduler,
    initialEpoch: o.initialEpoch ?? 0,
    history,
    callbacks,
  };
  // Restoring callbacks (BackupAndRestore) run first, so the others see where training resumes.
  for (const c of callbacks) c.restore?.(begin);
  for (const c of callbacks) c.onTrainBegin?.(begin);
  for (let epoch = begin.initialEpoch + 1; epoch <= o.epochs; epoch++) {
    model.train();
    sampler?.setEpoch?.(epoch);
    const t0 = performance.now(),
      cpu0 = platform().cpuTimeMicros();
    let lossSum = 0,
      samples = 0,
      batches = 0;
    const total = (train as { length?: number }).length;
    const bar = showBar
      ? platform().progressBar(
          `epoch ${epoch}/${o.epochs} [{bar}] {value}/{total} loss {loss} {speed} samples/s eta {eta}s`,
          total ?? 0,
        )
      : null;
    for (const batch of train) {
      // Each step in ax.tidy: its intermediates' memory is reused by the next step (scope.ts).
      const [value, n] = tidy(() => {
        o.optimizer.zeroGrad();
        const [out, target, weight] = cast(() =>
          o.sampleWeights ? forwardWeighted(model, batch) : [...forward(model, batch), null],
        );
        const loss = cast(() =>
          weight ? weightedLoss(o.loss, out, target, weight, epoch, batches + 1) : o.loss(out, target),
        );
        const value = loss.item();
        if (!Number.isFinite(value))
          throw new ValueError(
            `fit: the loss became ${value} in epoch ${epoch}, batch ${batches + 1}; lower the learning rate or clip gradients`,
          );
        cast(() => loss.backward());
        if (o.clipGradNorm !== undefined) clipGradNorm(model.parameters(), o.clipGradNorm);
        o.optimizer.step();
        return [value, target.shape[0] ?? 1] as const;
      });
      if (o.scheduler && o.schedulerStep === 'batch') (o.scheduler as LRScheduler).step();
      lossSum += value * n;
      samples += n;
      batches++;
      for (const c of callbacks) c.onBatchEnd?.(batches, { loss: value });
      bar?.update(batches, {
        loss: (lossSum / samples).toFixed(4),
        speed: (samples / ((performance.now() - t0) / 1000)).toFixed(0),
      });
    }
    bar?.stop();
    let seconds = (performance.now() - t0) / 1000;
    const cpu1 = platform().cpuTimeMicros();
    if (group && group.worldSize > 1) {
      [lossSum, samples] = sumOverRanks(group, lossSum, samples);
      seconds = group.allReduce(fromTypedArray(new Float64Array([seconds])), { op: 'max' }).item(); // the slowest rank
    }
    const logs: Record<string, number> = {
      loss: lossSum / Math.max(samples, 1),
      samplesPerSecond: samples / seconds,
      seconds,
      ...(cpu0 !== null && cpu1 !== null ? { cpuSeconds: (cpu1 - cpu0) / 1e6 } : {}),
      lr: o.optimizer.paramGroups[0]!.lr,
    };
    if (o.validation) {
      const v = evaluate(model, o.validation, { loss: o.loss, metrics: o.metrics, distributed: group !== null });
      for (const [k, val] of Object.entries(v)) logs[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = val;
    }
    if (o.scheduler && o.schedulerStep !== 'batch') {
      if (o.scheduler instanceof ReduceLROnPlateau) o.scheduler.step(logs['valLoss'] ?? logs['loss']!);
      else o.scheduler.step();
    }
    history.epochs.push(logs);
    log?.(
      `epoch ${epoch}/${o.epochs} ${Object.entries(logs)
        .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
        .join('  ')}`,
    );
    const end: EpochEnd = {
      epoch,
      logs,
      model,
      optimizer: o.optimizer,
      scheduler: o.scheduler,
      history,
      callbacks,
      stop: false,
    };
    for (const c of callbacks) c.onEpochEnd?.(end);
    for (const c of callbacks) c.afterEpochEnd?.(end);
    if (end.stop) break;
  }
  for (const c of callbacks) c.onTrainEnd?.(model);
  return history;
}

/** Σ loss and Σ samples over all ranks. */
function sumOverRanks(group: ProcessGroup, lossSum: number, samples: number): [number, number] {
  const sums = group.allReduce(fromTypedArray(new Float64Array([lossSum, samples])));
  return [sums.data[0]!, sums.data[1]!];
}

/**
 * Loss and metrics over a loader, in eval mode and without gradients, plus the forward pass's
 * latency per batch (`latencyP50`, `latencyP95`, in milliseconds).
 */
export function evaluate(
  model: Module,
  data: Iterable<Batch>,
  o: {
    loss?: (output: Tensor, target: Tensor) => Tensor;
    metrics?: Record<string, MetricFn>;
    /**
     * Combine every rank's data (each rank evaluating its shard): the loss is averaged over all
     * samples and metrics see all outputs. Every rank of the default group must call evaluate.
     */
    distributed?: boolean;
  } = {},
): Record<string, number> {
  checkModel('evaluate', model);
  checkIterable('evaluate', 'data', data);
  optionsArg('evaluate', o);
  const metrics = Object.entries(o.metrics ?? {});
  return inEvalMode(model, () => {
    // Outputs are kept (and concatenated) only when a metric needs them all at once.
    const outs: Tensor[] = [],
      targets: Tensor[] = [];
    const times: number[] = [];
    let lossSum = 0,
      samples = 0;
    for (const batch of data) {
      const t0 = performance.now();
      const [out, target] = forward(model, batch);
      times.push(performance.now() - t0);
      const n = target.shape[0] ?? 1;
      if (o.loss) lossSum += o.loss(out, target).item() * n;
      samples += n;
      if (metrics.length > 0) {
        outs.push(out);
        targets.push(target);
      }
    }
    const group = o.distributed ? currentGroup() : null;
    if (group && group.worldSize > 1) [lossSum, samples] = sumOverRanks(group, lossSum, samples);
    if (samples === 0) throw new ValueError('evaluate: the data yielded no batches');
    const result: Record<string, number> = {};
    if (o.loss) result['loss'] = lossSum / samples;
    result['latencyP50'] = percentile(times, 50);
    result['latencyP95'] = percentile(times, 95);
    if (metrics.length > 0) {
      let all = cat(outs, 0),
        allTargets = cat(targets, 0);
      if (group && group.worldSize > 1) [all, allTargets] = [gatherRows(group, all), gatherRows(group, allTargets)];
      for (const [name, fn] of metrics) result[name] = fn(all, allTargets);
    }
    return result;
  });
}

/** Model outputs for `inputs`, computed in batches in eval mode without gradients. */
export function predict(model: Module, inputs: Tensor, o: { batchSize?: number } = {}): Tensor {
  checkModel('predict', model);
  tensorArg('predict', 'inputs', inputs);
  if (inputs.ndim === 0) throw new ValueError('predict: inputs must have a batch dimension, got a 0-d tensor');
  const bs = checkInteger('predict', 'batchSize', optionsArg('predict', o).batchSize ?? 256, 1);
  return inEvalMode(model, () => {
    const outs: Tensor[] = [];
    for (let s = 0; s < inputs.shape[0]!; s += bs)
      outs.push(model.forward(inputs.narrow(0, s, Math.min(bs, inputs.shape[0]! - s))));
    return cat(outs, 0);
  });
}
