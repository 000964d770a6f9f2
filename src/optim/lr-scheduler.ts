import { checkFinite, checkInteger, isRecord, optionsArg, show } from '../check.js';
import { ValueError } from '../errors.js';
import { Optimizer } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

/** A scheduler needs an optimizer (its paramGroups' lr is what it sets). */
function checkOptimizer(op: string, optimizer: unknown): void {
  if (!(optimizer instanceof Optimizer)) throw new ValueError(`${op}: expected an optimizer, got ${show(optimizer)}`);
}

/** A scheduler's saved state: plain JSON (checkpoints store it in their header). */
export interface SchedulerState {
  lastEpoch: number;
  [key: string]: unknown;
}

/** Each group's lr before any scheduler touched it (PyTorch's 'initial_lr'), shared by chained schedulers. */
const initialLr = new WeakMap<object, number>();

/**
 * The base of the learning-rate schedules, PyTorch's LRScheduler: construction records each group's
 * initial lr and applies epoch 0; every step() advances one epoch (or one batch, as you call it)
 * and sets the groups' lr from a closed form of the epoch.
 */
export abstract class LRScheduler {
  lastEpoch = -1;
  readonly baseLrs: number[];
  private lastLrs: number[] = [];

  constructor(readonly optimizer: AnyOptimizer) {
    checkOptimizer(new.target.name, optimizer);
    this.baseLrs = optimizer.paramGroups.map((g) => {
      if (!initialLr.has(g)) initialLr.set(g, g.lr);
      return initialLr.get(g)!;
    });
  }

  /** Call at the end of the subclass constructor: applies epoch 0. */
  protected init(): void {
    this.step();
  }

  /** The lr of each group at `epoch`. */
  protected abstract lrAt(epoch: number): number[];

  step(epoch?: number): void {
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    this.lastLrs = this.lrAt(this.lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.lastLrs[i]!;
    });
  }

  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  stateDict(): SchedulerState {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }

  /** Checks a saved state without changing anything: a known epoch whose learning rates are finite. */
  checkStateDict(state: SchedulerState): void {
    const op = `${this.constructor.name}.loadStateDict`;
    if (!isRecord(state)) throw new ValueError(`${op}: expected the object stateDict() returns, got ${show(state)}`);
    checkInteger(op, 'lastEpoch', state.lastEpoch, 0);
    const lrs = this.lrAt(state.lastEpoch);
    if (lrs.some((v) => !Number.isFinite(v) || v < 0))
      throw new ValueError(`${op}: epoch ${state.lastEpoch} gives learning rates [${lrs.join(', ')}]`);
  }

  /** Restores the epoch and re-applies its lr (every schedule here is a closed form of the epoch). */
  loadStateDict(state: SchedulerState): void {
    this.checkStateDict(state);
    this.step(state.lastEpoch);
  }
}

/** lr = base · gamma^⌊epoch / stepSize⌋ */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize <= 0)
      throw new ValueError(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
    checkFinite('StepLR', 'gamma', gamma);
    this.init();
  }
  protected lrAt(e: number): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(e / this.stepSize));
  }
}

/** lr = base · gamma^(number of milestones ≤ epoch) */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  constructor(
    optimizer: AnyOptimizer,
    milestones: number[],
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    if (!Array.isArray(milestones))
      throw new ValueError(`MultiStepLR: milestones must be an array of epochs, got ${show(milestones)}`);
    milestones.forEach((m) => checkInteger('MultiStepLR', 'a milestone', m, 0));
    checkFinite('MultiStepLR', 'gamma', gamma);
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.init();
  }
  protected lrAt(e: number): number[] {
    const passed = this.milestones.filter((m) => m <= e).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

/** lr = base · gamma^epoch */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly gamma: number,
  ) {
    super(optimizer);
    checkFinite('ExponentialLR', 'gamma', gamma);
    this.init();
  }
  protected lrAt(e: number): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** e);
  }
}

/** Cosine from base down to etaMin over tMax epochs (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    super(optimizer);
    if (!(tMax > 0)) throw new ValueError(`CosineAnnealingLR: tMax must be positive, got ${tMax}`);
    this.init();
  }
  protected lrAt(e: number): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * e) / this.tMax))) / 2);
  }
}

/** Cosine annealing restarted every t0 epochs, the period growing by tMult after each restart (SGDR). */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly t0: number,
    readonly tMult = 1,
    readonly etaMin = 0,
  ) {
    super(optimizer);
    if (!Number.isInteger(t0) || t0 <= 0)
      throw new ValueError(`CosineAnnealingWarmRestarts: t0 must be a positive integer, got ${t0}`);
    if (!Number.isInteger(tMult) || tMult < 1)
      throw new ValueError(`CosineAnnealingWarmRestarts: tMult must be an integer ≥ 1, got ${tMult}`);
    this.init();
  }
  protected lrAt(e: number): number[] {
    let tCur = e,
      tI = this.t0;
    if (this.tMult === 1) tCur = e % this.t0;
    else
      while (tCur >= tI) {
        tCur -= tI;
        tI *= this.tMult;
      }
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2);
  }
}

/** Linear warm-up (or decay): the factor goes from startFactor to endFactor over totalIters epochs. */
export class LinearLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly options: { startFactor?: number; endFactor?: number; totalIters?: number } = {},
  ) {
    super(optimizer);
    optionsArg('LinearLR', options);
    const s = options.startFactor ?? 1 / 3;
    if (!(s > 0 && s <= 1)) throw new ValueError(`LinearLR: startFactor must be in (0, 1], got ${s}`);
    this.init();
  }
  protected lrAt(e: number): number[] {
    const s = this.options.startFactor ?? 1 / 3,
      f = this.options.endFactor ?? 1,
      n = this.options.totalIters ?? 5;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(e, n)) / n));
  }
}

export interface OneCycleOptions {
  maxLr: number | number[];
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  /** Cycle momentum (SGD) or beta1 (Adam) inversely to the lr, between these two. */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
}

/** The 1cycle policy (Smith): warm up to maxLr, then anneal far below the start; called every batch. */
export class OneCycleLR extends LRScheduler {
  private readonly total: number;
  private readonly phases: { end: number; lr: [string, string]; mom: [string, string] }[];
  private readonly limits: { initial: number; max: number; min: number }[];

  constructor(
    optimizer: AnyOptimizer,
    readonly o: OneCycleOptions,
  ) {
    checkOptimizer('OneCycleLR', optimizer);
    if (!isRecord(o)) throw new ValueError(`OneCycleLR: options must be an object with maxLr, got ${show(o)}`);
    const maxLrs = optimizer.paramGroups.map((_, i) => (Array.isArray(o.maxLr) ? o.maxLr[i]! : o.maxLr));
    const div = o.divFactor ?? 25;
    // PyTorch starts every group at maxLr / divFactor.
    optimizer.paramGroups.forEach((g, i) => {
      g.lr = maxLrs[i]! / div;
    });
    super(optimizer);
    this.total =
      o.totalSteps ?? (o.epochs !== undefined && o.stepsPerEpoch !== undefined ? o.epochs * o.stepsPerEpoch : NaN);
    if (!(this.total > 0)) throw new ValueError('OneCycleLR: give totalSteps, or epochs and stepsPerEpoch');
    const pct = o.pctStart ?? 0.3;
    this.limits = maxLrs.map((m) => ({ initial: m / div, max: m, min: m / div / (o.finalDivFactor ?? 1e4) }));
    this.phases = o.threePhase
      ? [
          { end: pct * this.total - 1, lr: ['initial', 'max'], mom: ['maxM', 'baseM'] },
          { end: 2 * pct * this.total - 2, lr: ['max', 'initial'], mom: ['baseM', 'maxM'] },
          { end: this.total - 1, lr: ['initial', 'min'], mom: ['maxM', 'maxM'] },
        ]
      : [
          { end: pct * this.total - 1, lr: ['initial', 'max'], mom: ['maxM', 'baseM'] },
          { end: this.total - 1, lr: ['max', 'min'], mom: ['baseM', 'maxM'] },
        ];
    this.init();
  }

  private anneal(start: number, end: number, pct: number): number {
    return (this.o.annealStrategy ?? 'cos') === 'cos'
      ? end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)
      : (end - start) * pct + start;
  }

  protected lrAt(step: number): number[] {
    // As PyTorch: the constructor plus totalSteps calls of step() are allowed, one more is an error.
    if (step > this.total)
      throw new ValueError(`OneCycleLR: stepped ${step} times, more than totalSteps ${this.total}`);
    const cycle = this.o.cycleMomentum ?? true;
    const baseM = this.o.baseMomentum ?? 0.85,
      maxM = this.o.maxMomentum ?? 0.95;
    return this.limits.map((lim, gi) => {
      let start = 0;
      for (let p = 0; p < this.phases.length; p++) {
        const ph = this.phases[p]!;
        if (step <= ph.end || p === this.phases.length - 1) {
          const pct = (step - start) / (ph.end - start);
          const pick = (k: string) =>
            k === 'initial'
              ? lim.initial
              : k === 'max'
                ? lim.max
                : k === 'min'
                  ? lim.min
                  : k === 'baseM'
                    ? baseM
                    : maxM;
          if (cycle) setMomentum(this.optimizer.paramGroups[gi]!, this.anneal(pick(ph.mom[0]), pick(ph.mom[1]), pct));
          return this.anneal(pick(ph.lr[0]), pick(ph.lr[1]), pct);
        }
        start = ph.end;
      }
      return lim.min;
    });
  }
}

function setMomentum(group: Record<string, unknown>, m: number): void {
  if (Array.isArray(group['betas'])) group['betas'] = [m, (group['betas'] as number[])[1]!];
  else if ('momentum' in group) group['momentum'] = m;
}

/** Runs schedulers one after another, switching at the given epochs (PyTorch's SequentialLR). */
export class SequentialLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly schedulers: LRScheduler[],
    readonly milestones: number[],
  ) {
    super(optimizer);
    if (milestones.length !== schedulers.length - 1)
      throw new ValueError(
        `SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${milestones.length}`,
      );
    // Each scheduler's constructor already stepped once; start again from the first.
    this.lastEpoch = 0;
    schedulers[0]!.step(0);
  }

  protected lrAt(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  override step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
  }

  override getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  override stateDict(): SchedulerState {
    return { lastEpoch: this.lastEpoch, schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override checkStateDict(state: SchedulerState): void {
    if (!isRecord(state))
      throw new ValueError(`SequentialLR.loadStateDict: expected the object stateDict() returns, got ${show(state)}`);
    checkInteger('SequentialLR.loadStateDict', 'lastEpoch', state.lastEpoch, 0);
    const inner = state['schedulers'];
    if (!Array.isArray(inner) || inner.length !== this.schedulers.length)
      throw new ValueError(`SequentialLR.loadStateDict: expected the states of ${this.schedulers.length} schedulers`);
    inner.forEach((s, i) => this.schedulers[i]!.checkStateDict(s as SchedulerState));
  }

  /** Restores every inner schedule's epoch; the lr itself comes back with the optimizer's state. */
  override loadStateDict(state: SchedulerState): void {
    this.checkStateDict(state);
    const inner = state['schedulers'] as SchedulerState[];
    this.lastEpoch = state.lastEpoch;
    inner.forEach((s, i) => {
      this.schedulers[i]!.lastEpoch = s.lastEpoch;
    });
  }
}

export interface PlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/** Divides the lr by 1/factor when a watched metric has not improved for `patience` epochs. */
export class ReduceLROnPlateau {
  private best: number;
  private badEpochs = 0;
  private cooldownLeft = 0;
  lastEpoch = 0;

  constructor(
    readonly optimizer: AnyOptimizer,
    readonly o: PlateauOptions = {},
  ) {
    checkOptimizer('ReduceLROnPlateau', optimizer);
    optionsArg('ReduceLROnPlateau', o);
    if ((o.factor ?? 0.1) >= 1) throw new ValueError(`ReduceLROnPlateau: factor must be < 1, got ${o.factor}`);
    this.best = (o.mode ?? 'min') === 'min' ? Infinity : -Infinity;
  }

  private improved(v: number): boolean {
    const rel = (this.o.thresholdMode ?? 'rel') === 'rel',
      t = this.o.threshold ?? 1e-4;
    if ((this.o.mode ?? 'min') === 'min') return rel ? v < this.best * (1 - t) : v < this.best - t;
    return rel ? v > this.best * (1 + t) : v > this.best + t;
  }

  step(metric: number): void {
    if (!Number.isFinite(metric))
      throw new ValueError(`ReduceLROnPlateau.step: the metric must be a finite number, got ${metric}`);
    this.lastEpoch++;
    if (this.improved(metric)) {
      this.best = metric;
      this.badEpochs = 0;
    } else this.badEpochs++;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > (this.o.patience ?? 10)) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const minLr = Array.isArray(this.o.minLr) ? this.o.minLr[i]! : (this.o.minLr ?? 0);
        const next = Math.max(g.lr * (this.o.factor ?? 0.1), minLr);
        if (g.lr - next > (this.o.eps ?? 1e-8)) g.lr = next;
      });
      this.cooldownLeft = this.o.cooldown ?? 0;
      this.badEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerState {
    // JSON has no Infinity: an untouched best is saved as null.
    return {
      lastEpoch: this.lastEpoch,
      best: Number.isFinite(this.best) ? this.best : null,
      badEpochs: this.badEpochs,
      cooldownLeft: this.cooldownLeft,
    };
  }

  checkStateDict(state: SchedulerState): void {
    const op = 'ReduceLROnPlateau.loadStateDict';
    if (!isRecord(state)) throw new ValueError(`${op}: expected the object stateDict() returns, got ${show(state)}`);
    checkInteger(op, 'lastEpoch', state.lastEpoch, 0);
    checkInteger(op, 'badEpochs', state['badEpochs'], 0);
    checkInteger(op, 'cooldownLeft', state['cooldownLeft'], 0);
    if (state['best'] !== null) checkFinite(op, 'best', state['best']);
  }

  loadStateDict(state: SchedulerState): void {
    this.checkStateDict(state);
    const { best, badEpochs, cooldownLeft } = state as unknown as {
      best: number | null;
      badEpochs: number;
      cooldownLeft: number;
    };
    this.lastEpoch = state.lastEpoch;
    this.best = best ?? ((this.o.mode ?? 'min') === 'min' ? Infinity : -Infinity);
    this.badEpochs = badEpochs;
    this.cooldownLeft = cooldownLeft;
  }
}
