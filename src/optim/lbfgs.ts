// L-BFGS as PyTorch's torch.optim.LBFGS computes it: each step(closure) runs up to maxIter
// quasi-Newton iterations on the flattened parameters, with the two-loop recursion over the last
// historySize curvature pairs, a fixed step (lr, the first one scaled by 1/‖g‖₁) or a strong-Wolfe
// line search (cubic interpolation, Nocedal & Wright's algorithms 3.5 and 3.6), and the same
// stopping tests. Vectors are float64 arrays here; parameters keep their own dtype.
import { enableGrad, noGrad } from '../autograd/grad-mode.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { checkFinite, checkInteger, isRecord, optionsArg, show } from '../check.js';
import { fromTypedArray } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { Optimizer, type OptimizerStateDict, type ParamState } from './optimizer.js';

export interface LBFGSOptions {
  lr: number;
  maxIter: number;
  /** Closure evaluations per step (default maxIter × 5/4). */
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strong_wolfe' | null;
}

type Vec = Float64Array;
const dot = (a: Vec, b: Vec) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const maxAbs = (a: Vec) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const axpy = (alpha: number, x: Vec, y: Vec) => y.map((v, i) => v + alpha * x[i]!);

/** The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds. */
function cubicMin(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq < 0) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2sq);
  const at =
    x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(at, lo), hi);
}

interface Point {
  t: number;
  f: number;
  g: Vec;
  gtd: number;
}

/**
 * A step t along d from the current point (loss f, gradient g, slope gtd) meeting the strong Wolfe
 * conditions (c1 = 1e-4, c2 = 0.9): a bracketing phase, then zoom. evaluate(t) gives the loss and
 * gradient at x + t·d.
 */
function strongWolfe(
  evaluate: (t: number) => [number, Vec],
  d: Vec,
  t: number,
  f: number,
  g: Vec,
  gtd: number,
  toleranceChange: number,
  maxLs = 25,
): { f: number; g: Vec; t: number; evals: number } {
  const c1 = 1e-4,
    c2 = 0.9;
  const dNorm = maxAbs(d);
  let [fNew, gNew] = evaluate(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let prev: Point = { t: 0, f, g, gtd };
  let bracket: Point[] | null = null;
  let done = false;
  let iter = 0;
  while (iter < maxLs) {
    const here: Point = { t, f: fNew, g: gNew, gtd: gtdNew };
    if (fNew > f + c1 * t * gtd || (iter > 1 && fNew >= prev.f)) {
      bracket = [prev, here];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [here];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [prev, here];
      break;
    }
    // Extrapolate: between 1.01 t and 10 t past the last point.
    const next = cubicMin(prev.t, prev.f, prev.gtd, t, fNew, gtdNew, [t + 0.01 * (t - prev.t), t * 10]);
    prev = here;
    t = next;
    [fNew, gNew] = evaluate(t);
    evals++;
    gtdNew = dot(gNew, d);
    iter++;
  }
  if (!bracket)
    bracket = [
      { t: 0, f, g, gtd },
      { t, f: fNew, g: gNew, gtd: gtdNew },
    ];
  if (bracket.length === 1) return { f: bracket[0]!.f, g: bracket[0]!.g, t: bracket[0]!.t, evals };

  // Zoom: shrink the bracket [low, high] (low has the lower loss) until a point meets the conditions.
  let insufficientProgress = false;
  let [low, high] = bracket[0]!.f <= bracket[1]!.f ? [0, 1] : [1, 0];
  while (!done && iter < maxLs) {
    const a = bracket[0]!,
      b = bracket[1]!;
    if (Math.abs(b.t - a.t) * dNorm < toleranceChange) break;
    t = cubicMin(a.t, a.f, a.gtd, b.t, b.f, b.gtd);
    const top = Math.max(a.t, b.t),
      bottom = Math.min(a.t, b.t);
    const eps = 0.1 * (top - bottom);
    // A point too close to an end makes little progress: the second time, move it eps inside.
    if (Math.min(top - t, t - bottom) < eps) {
      if (insufficientProgress || t >= top || t <= bottom) {
        t = Math.abs(t - top) < Math.abs(t - bottom) ? top - eps : bottom + eps;
        insufficientProgress = false;
      } else insufficientProgress = true;
    } else insufficientProgress = false;
    [fNew, gNew] = evaluate(t);
    evals++;
    gtdNew = dot(gNew, d);
    iter++;
    const here: Point = { t, f: fNew, g: gNew, gtd: gtdNew };
    if (fNew > f + c1 * t * gtd || fNew >= bracket[low]!.f) {
      bracket[high] = here;
      [low, high] = bracket[0]!.f <= bracket[1]!.f ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high]!.t - bracket[low]!.t) >= 0) bracket[high] = bracket[low]!;
      bracket[low] = here;
    }
  }
  const best = bracket[low]!;
  return { f: best.f, g: best.g, t: best.t, evals };
}

type Params = ConstructorParameters<typeof Optimizer<LBFGSOptions>>[0];

/**
 * L-BFGS (PyTorch's torch.optim.LBFGS, one parameter group). Each `step(closure)` calls the closure
 * — which zeroes the gradients, computes the loss, calls backward() and returns the loss — as often
 * as its iterations and line search need, and returns the loss of the first call.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  constructor(params: Params, options: Partial<LBFGSOptions> = {}) {
    const maxIter = optionsArg('LBFGS', options).maxIter ?? 20;
    super(params, {
      lr: 1,
      maxIter,
      maxEval: Math.floor((maxIter * 5) / 4),
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
      ...options,
    });
    if (this.paramGroups.length !== 1)
      throw new ValueError("LBFGS: doesn't support per-parameter options (one parameter group only)");
  }

  protected override validate(g: LBFGSOptions): void {
    super.validate(g);
    for (const k of ['maxIter', 'maxEval', 'historySize'] as const)
      if (!Number.isInteger(g[k]) || g[k] < 1)
        throw new ValueError(`LBFGS: ${k} must be a positive integer, got ${show(g[k])}`);
    for (const k of ['toleranceGrad', 'toleranceChange'] as const)
      if (typeof g[k] !== 'number' || !(g[k] >= 0)) throw new ValueError(`LBFGS: ${k} must be ≥ 0, got ${show(g[k])}`);
    if (g.lineSearchFn !== null && g.lineSearchFn !== 'strong_wolfe')
      throw new ValueError(`LBFGS: lineSearchFn must be null or 'strong_wolfe', got ${show(g.lineSearchFn)}`);
  }

  protected update(): void {
    throw new ValueError('LBFGS: step() needs a closure that computes the loss (step(() => { ...; return loss; }))');
  }

  private get params(): Tensor[] {
    return this.paramGroups[0]!.params;
  }

  /** The gradients of all parameters as one vector (zeros for a parameter without one). */
  private flatGrad(): Vec {
    const parts = this.params.map((p) => (p.grad ? p.grad.contiguous().toTypedArray() : new Float64Array(p.numel)));
    const out = new Float64Array(parts.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of parts) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  }

  private flatParams(): Vec {
    const out = new Float64Array(this.params.reduce((n, p) => n + p.numel, 0));
    let at = 0;
    for (const p of this.params) {
      out.set(p.contiguous().toTypedArray(), at);
      at += p.numel;
    }
    return out;
  }

  /** Sets the parameters (in place) to the values in x. */
  private setParams(x: Vec): void {
    noGrad(() => {
      let at = 0;
      for (const p of this.params) {
        p.copy_(fromTypedArray(x.slice(at, at + p.numel), [...p.shape]).to(p.dtype));
        at += p.numel;
      }
    });
  }

  private evaluate(closure: () => Tensor | number): number {
    const loss = enableGrad(closure);
    const v = loss instanceof Tensor ? loss.item() : loss;
    if (typeof v !== 'number') throw new ValueError(`LBFGS: the closure must return the loss, got ${show(loss)}`);
    return v;
  }

  override step(closure?: () => Tensor | number): number {
    if (typeof closure !== 'function')
      throw new ValueError('LBFGS: step() needs a closure that computes the loss (step(() => { ...; return loss; }))');
    const o = this.paramGroups[0]!;
    const s = this.lbfgsState;
    const origLoss = this.evaluate(closure);
    let loss = origLoss;
    let evals = 1;
    s.funcEvals++;
    let g = this.flatGrad();
    if (maxAbs(g) <= o.toleranceGrad) return origLoss;
    let { d, t } = s;
    let iter = 0;
    while (iter < o.maxIter) {
      iter++;
      s.nIter++;
      if (s.nIter === 1) {
        d = g.map((v) => -v);
        s.dirs = [];
        s.steps = [];
        s.rho = [];
        s.hDiag = 1;
      } else {
        // Curvature pair from the last iteration, kept when it has positive curvature.
        const y = g.map((v, i) => v - s.prevGrad![i]!);
        const step = d!.map((v) => v * t);
        const ys = dot(y, step);
        if (ys > 1e-10) {
          if (s.dirs.length === o.historySize) {
            s.dirs.shift();
            s.steps.shift();
            s.rho.shift();
          }
          s.dirs.push(y);
          s.steps.push(step);
          s.rho.push(1 / ys);
          s.hDiag = ys / dot(y, y);
        }
        // Two-loop recursion: d = -H·g with H the L-BFGS inverse-Hessian estimate.
        const n = s.dirs.length;
        const alpha = new Array<number>(n);
        let q = g.map((v) => -v);
        for (let i = n - 1; i >= 0; i--) {
          alpha[i] = dot(s.steps[i]!, q) * s.rho[i]!;
          q = axpy(-alpha[i]!, s.dirs[i]!, q);
        }
        let r = q.map((v) => v * s.hDiag);
        for (let i = 0; i < n; i++) {
          const beta = dot(s.dirs[i]!, r) * s.rho[i]!;
          r = axpy(alpha[i]! - beta, s.steps[i]!, r);
        }
        d = r;
      }
      s.prevGrad = g.slice();
      const prevLoss = loss;
      t = s.nIter === 1 ? Math.min(1, 1 / g.reduce((a, v) => a + Math.abs(v), 0)) * o.lr : o.lr;
      const gtd = dot(g, d!);
      if (gtd > -o.toleranceChange) break;
      let lsEvals = 0;
      let optimal = false;
      if (o.lineSearchFn === 'strong_wolfe') {
        const x0 = this.flatParams();
        const dir = d!;
        const r = strongWolfe(
          (step) => {
            this.setParams(axpy(step, dir, x0));
            const f = this.evaluate(closure);
            return [f, this.flatGrad()];
          },
          dir,
          t,
          loss,
          g,
          gtd,
          o.toleranceChange,
        );
        ({ f: loss, g, t } = r);
        lsEvals = r.evals;
        this.setParams(axpy(t, dir, x0));
        optimal = maxAbs(g) <= o.toleranceGrad;
      } else {
        this.setParams(axpy(t, d!, this.flatParams()));
        if (iter !== o.maxIter) {
          loss = this.evaluate(closure);
          g = this.flatGrad();
          optimal = maxAbs(g) <= o.toleranceGrad;
          lsEvals = 1;
        }
      }
      evals += lsEvals;
      s.funcEvals += lsEvals;
      if (iter === o.maxIter || evals >= o.maxEval || optimal) break;
      if (maxAbs(d!) * Math.abs(t) <= o.toleranceChange) break;
      if (Math.abs(loss - prevLoss) < o.toleranceChange) break;
    }
    s.d = d;
    s.t = t;
    return origLoss;
  }

  /**
   * The state dict, with the history between steps as the first parameter's state, where PyTorch
   * keeps it: func_evals, n_iter, t, H_diag (numbers), d and prev_flat_grad ([P], P the number of
   * parameter elements), old_dirs and old_stps ([n, P]) and ro ([n]), all float64.
   */
  override stateDict(): OptimizerStateDict<LBFGSOptions> {
    const dict = super.stateDict();
    const s = this.lbfgsState;
    if (s.nIter === 0) return dict;
    const P = this.params.reduce((n, p) => n + p.numel, 0);
    const rows = (vs: Vec[]) => fromTypedArray(Float64Array.from(vs.flatMap((v) => [...v])), [vs.length, P]);
    dict.state[0] = {
      func_evals: s.funcEvals,
      n_iter: s.nIter,
      t: s.t,
      H_diag: s.hDiag,
      d: fromTypedArray(Float64Array.from(s.d!), [P]),
      prev_flat_grad: fromTypedArray(Float64Array.from(s.prevGrad!), [P]),
      old_dirs: rows(s.dirs),
      old_stps: rows(s.steps),
      ro: fromTypedArray(Float64Array.from(s.rho), [s.rho.length]),
    };
    return dict;
  }

  /** Checks a state dict (the groups as every optimizer's; the history's names, shapes and values). */
  override checkStateDict(dict: OptimizerStateDict<LBFGSOptions>): Tensor[] {
    const op = 'LBFGS.loadStateDict';
    const history = isRecord(dict) && isRecord(dict.state) ? (dict.state[0] as ParamState | undefined) : undefined;
    const others = isRecord(dict) && isRecord(dict.state) ? Object.keys(dict.state).filter((k) => k !== '0') : [];
    if (others.length > 0)
      throw new ValueError(`${op}: LBFGS keeps state for parameter 0 only, got ${others.join(', ')}`);
    const params = super.checkStateDict({ ...dict, state: {} });
    if (history === undefined) return params;
    if (!isRecord(history)) throw new ValueError(`${op}: the state of parameter 0 is not an object`);
    const P = this.params.reduce((n, p) => n + p.numel, 0);
    const want: Record<string, 'count' | 'number' | number[]> = {
      func_evals: 'count',
      n_iter: 'count',
      t: 'number',
      H_diag: 'number',
      d: [P],
      prev_flat_grad: [P],
    };
    const n = history['ro'] instanceof Tensor ? (history['ro'].shape[0] ?? -1) : -1;
    Object.assign(want, { old_dirs: [n, P], old_stps: [n, P], ro: [n] });
    for (const key of Object.keys(history)) if (!(key in want)) throw new ValueError(`${op}: unknown state '${key}'`);
    for (const [key, kind] of Object.entries(want)) {
      const v = history[key];
      if (kind === 'count') checkInteger(op, key, v, 0);
      else if (kind === 'number') checkFinite(op, key, v);
      else {
        if (!(v instanceof Tensor)) throw new ValueError(`${op}: state '${key}' must be a tensor, got ${show(v)}`);
        if (v.shape.length !== kind.length || v.shape.some((d, i) => d !== kind[i]))
          throw new ShapeError(`${op}: state '${key}' has shape ${fmtShape(v.shape)}, expected ${fmtShape(kind)}`);
        if (!v.allFinite()) throw new ValueError(`${op}: state '${key}' holds non-finite values`);
      }
    }
    if (n < 0 || n > this.paramGroups[0]!.historySize)
      throw new ValueError(`${op}: ${n} curvature pairs, more than historySize ${this.paramGroups[0]!.historySize}`);
    return params;
  }

  override loadStateDict(dict: OptimizerStateDict<LBFGSOptions>): void {
    this.checkStateDict(dict);
    super.loadStateDict({ ...dict, state: {} });
    const h = dict.state[0];
    const vec = (t: Tensor) => Float64Array.from(t.contiguous().toTypedArray() as ArrayLike<number>);
    const rows = (t: Tensor) => Array.from({ length: t.shape[0]! }, (_, i) => vec(t.select(0, i)));
    Object.assign(
      this.lbfgsState,
      h
        ? {
            funcEvals: h['func_evals'] as number,
            nIter: h['n_iter'] as number,
            t: h['t'] as number,
            hDiag: h['H_diag'] as number,
            d: vec(h['d'] as Tensor),
            prevGrad: vec(h['prev_flat_grad'] as Tensor),
            dirs: rows(h['old_dirs'] as Tensor),
            steps: rows(h['old_stps'] as Tensor),
            rho: [...vec(h['ro'] as Tensor)],
          }
        : { funcEvals: 0, nIter: 0, d: null, t: 0, dirs: [], steps: [], rho: [], hDiag: 1, prevGrad: null },
    );
  }

  /** The history between steps (PyTorch keeps it in the first parameter's state). */
  private readonly lbfgsState: {
    funcEvals: number;
    nIter: number;
    d: Vec | null;
    t: number;
    dirs: Vec[];
    steps: Vec[];
    rho: number[];
    hDiag: number;
    prevGrad: Vec | null;
  } = { funcEvals: 0, nIter: 0, d: null, t: 0, dirs: [], steps: [], rho: [], hDiag: 1, prevGrad: null };
}
