import { isRecord, show } from '../check.js';
import { FormatError, ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import type { LRScheduler, ReduceLROnPlateau, SchedulerState } from '../optim/lr-scheduler.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';

// A checkpoint is one safetensors file: the model's tensors under "model.<key>", the optimizer's
// state tensors under "optimizer.<param index>.<name>", and everything else (optimizer
// hyper-parameters and scalar state, scheduler, epoch, generator states, user data) as JSON in
// the header's metadata under "axon.checkpoint". Python's safetensors reads it as it is, and a
// PyTorch user gets the weights with a prefix filter.

const KEY = 'axon.checkpoint';
const VERSION = 1;

export interface TrainingState {
  model: Module;
  optimizer?: Optimizer<{ lr: number }>;
  scheduler?: LRScheduler | ReduceLROnPlateau;
  /** The number of finished epochs. */
  epoch?: number;
  /** Generators whose state a resumed run needs (default: the global generator). */
  generators?: Record<string, Generator>;
  /** Anything JSON-serialisable to keep alongside (history, best metric, ...). */
  extra?: Record<string, unknown>;
  /** Further tensors to keep (best weights, moving averages, ...), stored under "extra.<name>". */
  tensors?: Record<string, Tensor>;
}

interface Header {
  version: number;
  epoch: number;
  optimizer: {
    paramGroups: OptimizerStateDict<{ lr: number }>['paramGroups'];
    scalars: Record<number, Record<string, number | null>>;
  } | null;
  scheduler: SchedulerState | null;
  generators: Record<string, (number | null)[]>;
  extra: Record<string, unknown>;
}

/** Saves the whole training state atomically: a killed process leaves the previous file intact. */
export function saveCheckpoint(path: string, s: TrainingState): void {
  const tensors: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(s.model.stateDict())) tensors[`model.${k}`] = v;
  for (const [k, v] of Object.entries(s.tensors ?? {})) tensors[`extra.${k}`] = v;
  let optimizer: Header['optimizer'] = null;
  if (s.optimizer) {
    const dict = s.optimizer.stateDict();
    const scalars: Record<number, Record<string, number | null>> = {};
    for (const [i, st] of Object.entries(dict.state)) {
      for (const [name, v] of Object.entries(st)) {
        if (typeof v === 'number') (scalars[Number(i)] ??= {})[name] = Number.isFinite(v) ? v : null;
        else tensors[`optimizer.${i}.${name}`] = v;
      }
    }
    optimizer = { paramGroups: dict.paramGroups, scalars };
  }
  const generators = s.generators ?? { default: defaultGenerator };
  const header: Header = {
    version: VERSION,
    epoch: s.epoch ?? 0,
    optimizer,
    scheduler: s.scheduler ? s.scheduler.stateDict() : null,
    // JSON has no NaN: an absent spare normal is saved as null.
    generators: Object.fromEntries(
      Object.entries(generators).map(([k, g]) => [k, g.getState().map((v) => (Number.isNaN(v) ? null : v))]),
    ),
    extra: s.extra ?? {},
  };
  saveSafetensors(path, tensors, { [KEY]: JSON.stringify(header) });
}

/** The header's JSON, checked for the kinds and ranges of every field saveCheckpoint writes. */
function parseHeader(path: string, raw: string): Header {
  const bad = (what: string) => new FormatError(`loadCheckpoint: ${path}: ${what}`);
  let h: unknown;
  try {
    h = JSON.parse(raw);
  } catch (e) {
    throw bad(`the checkpoint header is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(h)) throw bad(`the checkpoint header is ${show(h)}, not an object`);
  if (h['version'] !== VERSION)
    throw bad(`checkpoint version ${show(h['version'])}; this Axon reads version ${VERSION}`);
  const epoch = h['epoch'];
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0)
    throw bad(`epoch must be a non-negative integer, got ${show(epoch)}`);
  const opt = h['optimizer'];
  if (opt !== null) {
    if (!isRecord(opt) || !Array.isArray(opt['paramGroups']) || !isRecord(opt['scalars']))
      throw bad('the optimizer entry is not { paramGroups, scalars }');
    for (const [i, sc] of Object.entries(opt['scalars'])) {
      if (!/^\d+$/.test(i) || !isRecord(sc))
        throw bad(`optimizer scalars '${i}' are not an object of a parameter index`);
      for (const [k, v] of Object.entries(sc))
        if (v !== null && typeof v !== 'number') throw bad(`optimizer scalar ${i}.${k} is ${show(v)}`);
    }
  }
  if (h['scheduler'] !== null && !isRecord(h['scheduler'])) throw bad(`the scheduler entry is ${show(h['scheduler'])}`);
  if (!isRecord(h['generators'])) throw bad(`the generators entry is ${show(h['generators'])}`);
  if (!isRecord(h['extra'])) throw bad(`the extra entry is ${show(h['extra'])}`);
  return h as unknown as Header;
}

/**
 * Restores what saveCheckpoint wrote into the given model, optimizer, scheduler and generators
 * (created as for the original run) and returns the epoch and extra data. Everything is checked
 * first — the file, every metadata value, the model's keys and shapes, the optimizer's groups,
 * hyper-parameters and state, the scheduler's state, the generators' states, and that every float
 * tensor is finite — so a load that throws has changed nothing.
 */
export function loadCheckpoint(
  path: string,
  s: TrainingState,
): { epoch: number; extra: Record<string, unknown>; tensors: Record<string, Tensor> } {
  const { tensors, metadata } = loadSafetensors(path);
  const raw = metadata[KEY];
  if (raw === undefined)
    throw new FormatError(
      `loadCheckpoint: ${path} is a safetensors file without an Axon checkpoint header (use loadSafetensors for plain weights)`,
    );
  const h = parseHeader(path, raw);
  const model: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  const optState: Record<number, ParamState> = Object.create(null) as Record<number, ParamState>;
  const extraTensors: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  for (const [name, t] of Object.entries(tensors)) {
    if (!t.allFinite() && !name.startsWith('extra.'))
      throw new FormatError(`loadCheckpoint: ${path}: tensor '${name}' holds non-finite values`);
    if (name.startsWith('model.')) model[name.slice(6)] = t;
    else if (name.startsWith('extra.')) extraTensors[name.slice(6)] = t;
    else if (name.startsWith('optimizer.')) {
      const m = /^optimizer\.(\d+)\.(.+)$/.exec(name);
      if (!m) throw new FormatError(`loadCheckpoint: ${path}: unexpected tensor name '${name}'`);
      (optState[Number(m[1])] ??= {})[m[2]!] = t;
    } else throw new FormatError(`loadCheckpoint: ${path}: unexpected tensor name '${name}'`);
  }
  if (s.optimizer && !h.optimizer)
    throw new ValueError(`loadCheckpoint: ${path} holds no optimizer state, but an optimizer was given`);
  if (s.scheduler && !h.scheduler)
    throw new ValueError(`loadCheckpoint: ${path} holds no scheduler state, but a scheduler was given`);
  const generators = s.generators ?? { default: defaultGenerator };
  for (const name of Object.keys(generators)) {
    if (!Object.hasOwn(h.generators, name))
      throw new ValueError(
        `loadCheckpoint: ${path} holds no state for generator '${name}' (has: ${Object.keys(h.generators).join(', ') || 'none'})`,
      );
  }
  const genStates = Object.entries(generators).map(([name, g]) => {
    const state = h.generators[name]!;
    try {
      Generator.checkState(state);
    } catch (e) {
      throw new FormatError(`loadCheckpoint: ${path}: generator '${name}': ${(e as Error).message}`);
    }
    return [g, state] as const;
  });
  if (s.optimizer && h.optimizer) {
    const saved = h.optimizer.paramGroups.map((g) => (isRecord(g) && Array.isArray(g.params) ? g.params.length : -1));
    const own = s.optimizer.paramGroups.map((g) => g.params.length);
    if (saved.join(',') !== own.join(','))
      throw new ValueError(
        `loadCheckpoint: ${path} has optimizer groups of [${saved.join(', ')}] parameters, the optimizer [${own.join(', ')}]`,
      );
    for (const [i, sc] of Object.entries(h.optimizer.scalars)) {
      for (const [k, v] of Object.entries(sc)) (optState[Number(i)] ??= {})[k] = v ?? NaN;
    }
  }
  const optDict = s.optimizer && h.optimizer ? { paramGroups: h.optimizer.paramGroups, state: optState } : null;

  // Every check before any change.
  s.model.checkStateDict(model);
  if (s.optimizer && optDict) s.optimizer.checkStateDict(optDict);
  if (s.scheduler && h.scheduler) s.scheduler.checkStateDict(h.scheduler);

  s.model.loadStateDict(model);
  if (s.optimizer && optDict) s.optimizer.loadStateDict(optDict);
  if (s.scheduler && h.scheduler) s.scheduler.loadStateDict(h.scheduler);
  for (const [g, state] of genStates) g.setState(state);
  return { epoch: h.epoch, extra: h.extra, tensors: extraTensors };
}
