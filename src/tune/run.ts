import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { checkOptionNames, show } from '../check.js';
import { ValueError } from '../errors.js';
import { Generator } from '../tensor/random.js';
import type { Asha } from './asha.js';
import { type Config, type SearchSpace, checkSpace, gridConfigs, sampleConfig } from './space.js';
import { TRIAL_FD, type TrialMessage } from './trial.js';

export interface TuneOptions {
  /** A module whose default export is the trial function: (config, ctx) => …, reporting with ctx. */
  trial: string;
  space: SearchSpace;
  /** The reported metric to optimise (e.g. 'valAccuracy') and its direction. */
  metric: string;
  mode?: 'max' | 'min';
  /** 'random' (numSamples configurations, default 10) or 'grid' (every combination of the choices). */
  search?: 'random' | 'grid';
  numSamples?: number;
  /** Stops weak trials early (tune.asha); without one every trial runs its epochs. */
  scheduler?: Asha;
  /** Epochs each trial may run; default the scheduler's maxEpochs. */
  maxEpochs?: number;
  /** Trials at once; default the number of cores divided by threadsPerTrial. */
  workers?: number;
  /** Native threads per trial process (AXON_NUM_THREADS); default 1. */
  threadsPerTrial?: number;
  /** V8 heap limit per trial in MiB: a trial that needs more ends as 'oom' and the search goes on. */
  memoryMb?: number;
  /** A trial running longer is stopped and marked 'timeout'. */
  timeoutSeconds?: number;
  seed?: number;
  /** Trial logs and results.json go here; default runs/tune-<date>-<time>. */
  logDir?: string;
  log?: (line: string) => void;
}

export type TrialStatus = 'completed' | 'stopped' | 'error' | 'oom' | 'timeout';

export interface TrialResult {
  id: number;
  config: Config;
  status: TrialStatus;
  /** Epochs reported. */
  epochs: number;
  /** The metric's last reported value (null when none was reported). */
  score: number | null;
  history: { epoch: number; metrics: Record<string, number> }[];
  final: Record<string, number>;
  seconds: number;
  error?: string;
}

export interface TuneResult {
  metric: string;
  mode: 'max' | 'min';
  trials: TrialResult[];
  best: TrialResult | null;
  /** Σ epochs over all trials: the search's compute, in epochs. */
  epochsRun: number;
  wallSeconds: number;
  logDir: string;
}

/** Where the trial runner is: next to this file, as .ts under tsx or .js when compiled. */
function runnerPath(): string {
  const here = fileURLToPath(import.meta.url);
  return join(here, '..', `runner${extname(here)}`);
}

function checkOptions(o: TuneOptions): void {
  checkOptionNames('tune.run', o, [
    'trial',
    'space',
    'metric',
    'mode',
    'search',
    'numSamples',
    'scheduler',
    'maxEpochs',
    'workers',
    'threadsPerTrial',
    'memoryMb',
    'timeoutSeconds',
    'seed',
    'logDir',
    'log',
  ]);
  if (typeof o.trial !== 'string' || !existsSync(o.trial))
    throw new ValueError(`tune.run: trial must be the path of a module file, got ${show(o.trial)}`);
  checkSpace(o.space);
  if (typeof o.metric !== 'string' || o.metric === '')
    throw new ValueError(`tune.run: metric must be a name, got ${show(o.metric)}`);
  if (o.mode !== undefined && o.mode !== 'max' && o.mode !== 'min')
    throw new ValueError(`tune.run: mode must be 'max' or 'min', got ${show(o.mode)}`);
  if (o.search !== undefined && o.search !== 'random' && o.search !== 'grid')
    throw new ValueError(`tune.run: search must be 'random' or 'grid', got ${show(o.search)}`);
  for (const key of ['numSamples', 'maxEpochs', 'workers', 'threadsPerTrial', 'memoryMb', 'timeoutSeconds'] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1))
      throw new ValueError(`tune.run: ${key} must be a positive integer, got ${show(v)}`);
  }
  if (o.maxEpochs === undefined && !o.scheduler)
    throw new ValueError('tune.run: give maxEpochs (or a scheduler that has one)');
}

/**
 * Hyper-parameter search: trials (each one configuration) run in parallel child processes, report
 * their metric every epoch, and are stopped early by the scheduler; a trial that throws, runs out
 * of memory or times out is recorded and the search goes on. Resolves when every trial has ended;
 * results are also written to <logDir>/results.json.
 */
export async function run(o: TuneOptions): Promise<TuneResult> {
  checkOptions(o);
  const mode = o.mode ?? 'max';
  const sign = mode === 'max' ? 1 : -1;
  const maxEpochs = o.maxEpochs ?? o.scheduler!.maxEpochs;
  const configs =
    (o.search ?? 'random') === 'grid'
      ? gridConfigs(o.space)
      : Array.from({ length: o.numSamples ?? 10 }, (_, i, g = new Generator((o.seed ?? 0) * 1_000_003 + i)) =>
          sampleConfig(o.space, g),
        );
  const threads = o.threadsPerTrial ?? 1;
  const workers = o.workers ?? Math.max(1, Math.floor(availableParallelism() / threads));
  const logDir =
    o.logDir ?? join('runs', `tune-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`);
  mkdirSync(logDir, { recursive: true });
  const log = o.log ?? (() => {});
  const trialFile = resolve(o.trial);
  const runner = runnerPath();
  const needsTsx = [runner, trialFile].some((f) => /\.[cm]?ts$/.test(f));
  const started = performance.now();
  const results: TrialResult[] = [];

  const runTrial = (id: number, config: Config) =>
    new Promise<TrialResult>((done) => {
      const t0 = performance.now();
      const result: TrialResult = {
        id,
        config,
        status: 'completed',
        epochs: 0,
        score: null,
        history: [],
        final: {},
        seconds: 0,
      };
      const logPath = join(logDir, `trial-${id}.log`);
      const logFd = openSync(logPath, 'w');
      const child = spawn(
        process.execPath,
        [
          ...(needsTsx ? ['--import', 'tsx'] : []),
          ...(o.memoryMb ? [`--max-old-space-size=${o.memoryMb}`] : []),
          runner,
        ],
        {
          stdio: ['ignore', logFd, logFd, 'pipe'],
          env: {
            ...process.env,
            AXON_TUNE_TRIAL_FILE: trialFile,
            AXON_TUNE_CONFIG: JSON.stringify(config),
            AXON_TUNE_TRIAL_ID: String(id),
            AXON_TUNE_MAX_EPOCHS: String(maxEpochs),
            AXON_NUM_THREADS: String(threads),
            OMP_NUM_THREADS: String(threads),
          },
        },
      );
      let ended: TrialStatus | null = null;
      const stop = (status: TrialStatus) => {
        if (ended) return;
        ended = status;
        child.kill('SIGKILL');
      };
      const timer = o.timeoutSeconds ? setTimeout(() => stop('timeout'), o.timeoutSeconds * 1000) : null;
      const lines = createInterface({ input: child.stdio[TRIAL_FD] as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        let m: TrialMessage;
        try {
          m = JSON.parse(line) as TrialMessage;
        } catch {
          return;
        }
        if (m.type === 'report') {
          result.history.push({ epoch: m.epoch, metrics: m.metrics });
          result.epochs = m.epoch;
          const value = m.metrics[o.metric];
          if (value === undefined) {
            result.error = `the trial reported no '${o.metric}' (it reported ${Object.keys(m.metrics).join(', ')})`;
            return stop('error');
          }
          result.score = value;
          if (o.scheduler?.shouldStop(m.epoch, sign * value)) stop('stopped');
        } else if (m.type === 'done') {
          result.final = m.metrics;
          if (result.score === null && m.metrics[o.metric] !== undefined) result.score = m.metrics[o.metric]!;
        } else if (m.type === 'error') result.error = m.message;
      });
      child.on('exit', (code) => {
        if (timer) clearTimeout(timer);
        closeSync(logFd);
        result.seconds = (performance.now() - t0) / 1000;
        if (ended) result.status = ended;
        else if (code !== 0) {
          const text = readFileSync(logPath, 'utf8');
          result.status = /heap out of memory|ERR_WORKER_OUT_OF_MEMORY|Allocation failed/.test(text) ? 'oom' : 'error';
          result.error ??= text.trim().split('\n').slice(-1)[0] ?? `exit code ${code}`;
        }
        const score = result.score === null ? '—' : result.score.toFixed(4);
        log(
          `trial ${id} ${result.status} after ${result.epochs} epoch(s): ${o.metric} ${score}  ${JSON.stringify(config)}`,
        );
        done(result);
      });
    });

  let next = 0;
  const worker = async () => {
    while (next < configs.length) {
      const id = next++;
      results.push(await runTrial(id, configs[id]!));
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, configs.length) }, worker));
  results.sort((a, b) => a.id - b.id);
  const scored = results.filter((r) => r.score !== null && Number.isFinite(r.score));
  const best = scored.reduce<TrialResult | null>(
    (b, r) => (b === null || sign * r.score! > sign * b.score! ? r : b),
    null,
  );
  const out: TuneResult = {
    metric: o.metric,
    mode,
    trials: results,
    best,
    epochsRun: results.reduce((s, r) => s + r.epochs, 0),
    wallSeconds: (performance.now() - started) / 1000,
    logDir,
  };
  writeFileSync(join(logDir, 'results.json'), JSON.stringify(out, null, 2));
  return out;
}

/** The results as a text table, best first. */
export function resultsTable(r: TuneResult): string {
  const sign = r.mode === 'max' ? 1 : -1;
  const rows = [...r.trials].sort((a, b) => sign * ((b.score ?? -Infinity * sign) - (a.score ?? -Infinity * sign)));
  const keys = [...new Set(r.trials.flatMap((t) => Object.keys(t.config)))];
  const fmt = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(3) : String(v));
  const header = ['trial', ...keys, 'status', 'epochs', r.metric];
  const body = rows.map((t) => [
    String(t.id),
    ...keys.map((k) => fmt(t.config[k])),
    t.status,
    String(t.epochs),
    t.score === null ? '—' : t.score.toFixed(4),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}
