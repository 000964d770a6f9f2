// Schedules given as a function or a polynomial, and the cyclical schedule (PyTorch's LambdaLR,
// MultiplicativeLR, PolynomialLR, CyclicLR) — like the others, closed forms of the step count, so a
// resumed run's learning rate is exact.
import { checkFinite, checkInteger, isRecord, show } from '../check.js';
import { ValueError } from '../errors.js';
import { LRScheduler } from './lr-scheduler.js';
import { Optimizer } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }>;
type Lambda = (epoch: number) => number;

/** One function for every group, or one per group. */
function lambdas(op: string, optimizer: AnyOptimizer, f: Lambda | readonly Lambda[]): Lambda[] {
  const list = typeof f === 'function' ? optimizer.paramGroups.map(() => f) : Array.isArray(f) ? [...f] : null;
  if (!list || list.some((g) => typeof g !== 'function'))
    throw new ValueError(`${op}: lrLambda must be a function of the epoch or one per parameter group, got ${show(f)}`);
  if (list.length !== optimizer.paramGroups.length)
    throw new ValueError(`${op}: ${list.length} functions for ${optimizer.paramGroups.length} parameter groups`);
  return list;
}

function factor(op: string, f: Lambda, e: number): number {
  const v = f(e);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${op}: lrLambda(${e}) returned ${String(v)}`);
  return v;
}

/** lr = base · f(epoch). */
export class LambdaLR extends LRScheduler {
  private readonly fns: Lambda[];
  constructor(optimizer: AnyOptimizer, lrLambda: Lambda | readonly Lambda[]) {
    super(optimizer);
    this.fns = lambdas('LambdaLR', optimizer, lrLambda);
    this.init();
  }
  protected lrAt(e: number): number[] {
    return this.baseLrs.map((b, i) => b * factor('LambdaLR', this.fns[i]!, e));
  }
}

/** lr multiplied by f(epoch) at every step after the first: base · f(1) · … · f(epoch). */
export class MultiplicativeLR extends LRScheduler {
  private readonly fns: Lambda[];
  constructor(optimizer: AnyOptimizer, lrLambda: Lambda | readonly Lambda[]) {
    super(optimizer);
    this.fns = lambdas('MultiplicativeLR', optimizer, lrLambda);
    this.init();
  }
  protected lrAt(e: number): number[] {
    return this.baseLrs.map((b, i) => {
      let lr = b;
      for (let k = 1; k <= e; k++) lr *= factor('MultiplicativeLR', this.fns[i]!, k);
      return lr;
    });
  }
}

/** lr = base · (1 − min(epoch, totalIters) / totalIters)^power. */
export class PolynomialLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly totalIters = 5,
    readonly power = 1,
  ) {
    super(optimizer);
    checkInteger('PolynomialLR', 'totalIters', totalIters, 1);
    checkFinite('PolynomialLR', 'power', power);
    this.init();
  }
  protected lrAt(e: number): number[] {
    return this.baseLrs.map((b) => b * (1 - Math.min(e, this.totalIters) / this.totalIters) ** this.power);
  }
}

export interface CyclicOptions {
  baseLr: number | readonly number[];
  maxLr: number | readonly number[];
  /** Steps from baseLr up to maxLr (default 2000). */
  stepSizeUp?: number;
  /** Steps back down (default: stepSizeUp). */
  stepSizeDown?: number;
  /** 'triangular' (default), 'triangular2' (amplitude halves each cycle) or 'expRange' (× gamma^step). */
  mode?: 'triangular' | 'triangular2' | 'expRange';
  gamma?: number;
  /** Cycle momentum inversely to the lr, between baseMomentum and maxMomentum (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
}

/** Smith's cyclical learning rates, PyTorch's CyclicLR (stepped per batch). */
export class CyclicLR extends LRScheduler {
  private readonly bases: number[];
  private readonly maxes: number[];
  private readonly total: number;
  private readonly ratio: number;

  constructor(
    optimizer: AnyOptimizer,
    readonly o: CyclicOptions,
  ) {
    if (!(optimizer instanceof Optimizer))
      throw new ValueError(`CyclicLR: expected an optimizer, got ${show(optimizer)}`);
    if (!isRecord(o)) throw new ValueError(`CyclicLR: options { baseLr, maxLr } are required, got ${show(o)}`);
    const perGroup = (name: string, v: number | readonly number[]) => {
      const list = typeof v === 'number' ? optimizer.paramGroups.map(() => v) : Array.isArray(v) ? [...v] : [];
      if (list.length !== optimizer.paramGroups.length || list.some((x) => !(x >= 0)))
        throw new ValueError(`CyclicLR: ${name} must be ≥ 0, one number or one per parameter group`);
      return list;
    };
    const bases = perGroup('baseLr', o.baseLr);
    // As PyTorch, the optimizer starts at baseLr.
    optimizer.paramGroups.forEach((g, i) => {
      g.lr = bases[i]!;
    });
    super(optimizer);
    this.bases = bases;
    this.maxes = perGroup('maxLr', o.maxLr);
    const up = o.stepSizeUp ?? 2000,
      down = o.stepSizeDown ?? up;
    checkInteger('CyclicLR', 'stepSizeUp', up, 1);
    checkInteger('CyclicLR', 'stepSizeDown', down, 1);
    this.total = up + down;
    this.ratio = up / this.total;
    const mode = o.mode ?? 'triangular';
    if (!['triangular', 'triangular2', 'expRange'].includes(mode))
      throw new ValueError(`CyclicLR: unknown mode '${mode}'`);
    if (
      (o.cycleMomentum ?? true) &&
      !('momentum' in optimizer.paramGroups[0]!) &&
      !('betas' in optimizer.paramGroups[0]!)
    )
      throw new ValueError('CyclicLR: cycleMomentum needs an optimizer with momentum (or pass cycleMomentum: false)');
    this.init();
  }

  protected lrAt(e: number): number[] {
    const cycle = Math.floor(1 + e / this.total);
    const x = 1 + e / this.total - cycle;
    const scale = x <= this.ratio ? x / this.ratio : (x - 1) / (this.ratio - 1);
    const mode = this.o.mode ?? 'triangular';
    const amplitude =
      mode === 'triangular' ? 1 : mode === 'triangular2' ? 1 / 2 ** (cycle - 1) : (this.o.gamma ?? 1) ** e;
    if (this.o.cycleMomentum ?? true) {
      const baseM = this.o.baseMomentum ?? 0.8,
        maxM = this.o.maxMomentum ?? 0.9;
      const m = maxM - (maxM - baseM) * scale * amplitude;
      for (const g of this.optimizer.paramGroups as unknown as Record<string, unknown>[]) {
        if (Array.isArray(g['betas'])) g['betas'] = [m, (g['betas'] as number[])[1]!];
        else g['momentum'] = m;
      }
    }
    return this.bases.map((b, i) => b + (this.maxes[i]! - b) * scale * amplitude);
  }
}
