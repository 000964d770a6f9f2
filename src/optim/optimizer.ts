import { noGrad } from '../autograd/grad-mode.js';
import { checkFinite, checkInteger, isIterable, isRecord, sameKind, show } from '../check.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** A group of parameters sharing hyper-parameters (PyTorch's param_groups). */
export type ParamGroup<H> = { params: Tensor[] } & H;

/** Per-parameter state: tensors (moments, buffers) and numbers (step counts). */
export type ParamState = Record<string, Tensor | number>;

export interface OptimizerStateDict<H> {
  /** State by parameter index (position across all groups, as PyTorch numbers them). */
  state: Record<number, ParamState>;
  /** Hyper-parameters of each group, with the indices of its parameters. */
  paramGroups: (H & { params: number[] })[];
}

/**
 * The base of every optimizer: parameter groups with their own hyper-parameters, per-parameter
 * state, zeroGrad(), step() and a state dict to save and resume. Subclasses implement update().
 */
export abstract class Optimizer<H extends { lr: number }> {
  readonly paramGroups: ParamGroup<H>[];
  readonly state = new Map<Tensor, ParamState>();

  constructor(
    params: Iterable<Tensor> | Iterable<{ params: Iterable<Tensor> } & Partial<H>>,
    readonly defaults: H,
  ) {
    const op = new.target.name;
    if (!isIterable(params))
      throw new ValueError(
        `${op}: params must be an iterable of tensors or of { params, ... } groups (model.parameters()), got ${show(params)}`,
      );
    const list = [...params] as unknown[];
    if (list.length === 0) throw new ValueError(`${op}: got an empty parameter list`);
    const groups =
      isRecord(list[0]) && !(list[0] instanceof Tensor)
        ? (list as ({ params: Iterable<Tensor> } & Partial<H>)[])
        : [{ params: list as Tensor[] }];
    this.paramGroups = [];
    const seen = new Set<Tensor>();
    for (const g of groups) {
      if (!isRecord(g) || !isIterable(g.params))
        throw new ValueError(
          `${op}: each parameter group must be { params: [...tensors], ...options }, got ${show(g)}`,
        );
      const ps = [...g.params];
      for (const p of ps) {
        if (!(p instanceof Tensor)) throw new ValueError(`${op}: parameters must be tensors, got ${show(p)}`);
        if (seen.has(p)) throw new ValueError(`${new.target.name}: a parameter appears in more than one group`);
        seen.add(p);
      }
      this.paramGroups.push({ ...defaults, ...g, params: ps } as ParamGroup<H>);
    }
    for (const g of this.paramGroups) this.validate(g);
  }

  /** Checks a group's hyper-parameters; subclasses add their own rules. */
  protected validate(group: H): void {
    if (typeof group.lr !== 'number' || !(group.lr >= 0) || group.lr === Infinity)
      throw new ValueError(`${this.constructor.name}: invalid learning rate ${show(group.lr)}`);
  }

  /** Clears the gradients (to null, as PyTorch's default set_to_none=True). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          let s = this.state.get(p);
          if (!s) {
            s = {};
            this.state.set(p, s);
          }
          this.update(p, p.grad, s, group);
        }
      }
    });
  }

  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<H>): void;

  /** The state to save: tensors are copies, so later steps do not change a saved dict. */
  stateDict(): OptimizerStateDict<H> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return {
        ...(hyper as unknown as H),
        params: params.map((p) => {
          const i = index.size;
          index.set(p, i);
          return i;
        }),
      };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : v.clone()]));
    }
    return { state, paramGroups };
  }

  /**
   * Checks a state dict against this optimizer without changing anything: group count and sizes,
   * every hyper-parameter (same kind as the current one, then the optimizer's own rules), and every
   * state entry (a known parameter; tensors of its shape and dtype with finite values; finite
   * numbers, `step` a non-negative integer). Returns the parameter of each saved index.
   */
  checkStateDict(dict: OptimizerStateDict<H>): Tensor[] {
    const op = `${this.constructor.name}.loadStateDict`;
    if (!isRecord(dict) || !Array.isArray(dict.paramGroups) || !isRecord(dict.state)) {
      throw new ValueError(`${op}: expected { state, paramGroups } as stateDict() returns, got ${show(dict)}`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(
        `${op}: the dict has ${dict.paramGroups.length} parameter groups, the optimizer ${this.paramGroups.length}`,
      );
    }
    const total = this.paramGroups.reduce((n, g) => n + g.params.length, 0);
    const params: Tensor[] = [];
    dict.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi]!;
      if (!isRecord(saved) || !Array.isArray(saved.params))
        throw new ValueError(`${op}: group ${gi} is not { params, ...hyper-parameters }`);
      if (saved.params.length !== group.params.length) {
        throw new ValueError(
          `${op}: group ${gi} has ${saved.params.length} parameters in the dict, ${group.params.length} in the optimizer`,
        );
      }
      saved.params.forEach((index, k) => {
        checkInteger(op, `group ${gi}'s parameter index`, index, 0, total - 1);
        if (params[index] !== undefined) throw new ValueError(`${op}: parameter index ${index} appears twice`);
        params[index] = group.params[k]!;
      });
      const { params: _ignored, ...hyper } = saved as Record<string, unknown>;
      for (const [key, value] of Object.entries(hyper)) {
        if (!(key in group)) throw new ValueError(`${op}: group ${gi} has an unknown hyper-parameter '${key}'`);
        if (!sameKind(value, (group as Record<string, unknown>)[key])) {
          throw new ValueError(
            `${op}: group ${gi}'s ${key} is ${show(value)}, not the kind of ${show((group as Record<string, unknown>)[key])}`,
          );
        }
      }
      const merged = { ...group, ...hyper } as ParamGroup<H>;
      if (typeof merged.lr !== 'number' || !Number.isFinite(merged.lr))
        throw new ValueError(`${op}: group ${gi}'s lr must be a finite number, got ${show(merged.lr)}`);
      this.validate(merged);
    });
    for (const [i, st] of Object.entries(dict.state)) {
      const p = /^\d+$/.test(i) ? params[Number(i)] : undefined;
      if (!p) throw new ValueError(`${op}: state for unknown parameter ${i}`);
      if (!isRecord(st)) throw new ValueError(`${op}: the state of parameter ${i} is not an object`);
      for (const [k, v] of Object.entries(st)) {
        if (typeof v === 'number') {
          if (k === 'step') checkInteger(op, `parameter ${i}'s step`, v, 0);
          else checkFinite(op, `parameter ${i}'s ${k}`, v);
        } else if (v instanceof Tensor) {
          if (!shapesEqual(v.shape, p.shape)) {
            throw new ShapeError(
              `${op}: state '${k}' of parameter ${i} has shape ${fmtShape(v.shape)}, the parameter ${fmtShape(p.shape)}`,
            );
          }
          if (v.dtype !== p.dtype)
            throw new DTypeError(
              `${op}: state '${k}' of parameter ${i} has dtype ${v.dtype}, the parameter ${p.dtype}`,
            );
          if (!v.allFinite()) throw new ValueError(`${op}: state '${k}' of parameter ${i} holds non-finite values`);
        } else {
          throw new ValueError(`${op}: state '${k}' of parameter ${i} is ${show(v)}, not a number or a tensor`);
        }
      }
    }
    return params;
  }

  /** Restores a state dict saved from an optimizer over parameters of the same shapes; checked whole first. */
  loadStateDict(dict: OptimizerStateDict<H>): void {
    const params = this.checkStateDict(dict);
    dict.paramGroups.forEach((saved, gi) => {
      const { params: _ignored, ...hyper } = saved;
      Object.assign(this.paramGroups[gi]!, hyper);
    });
    this.state.clear();
    for (const [i, s] of Object.entries(dict.state)) {
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) copy[k] = typeof v === 'number' ? v : v.clone();
      this.state.set(params[Number(i)]!, copy);
    }
  }
}

/** The state tensor `key`, created as zeros like the parameter on first use. */
export function buffer(state: ParamState, key: string, like: Tensor, init = 0): Tensor {
  let t = state[key];
  if (t === undefined) {
    t = like.zerosLike();
    if (init !== 0) t.fill_(init);
    state[key] = t;
  }
  return t as Tensor;
}

/** Whether a fused step kernel can update this parameter: contiguous, one dtype, floating point. */
export function fusable(p: Tensor, grad: Tensor): boolean {
  return (
    p.isContiguous() &&
    grad.isContiguous() &&
    p.dtype === grad.dtype &&
    (p.dtype === 'float32' || p.dtype === 'float64')
  );
}

/** A fused kernel wrote these tensors in place: count it, as in-place ops do. */
export function bump(...ts: (Tensor | null | undefined)[]): void {
  for (const t of ts) if (t) t.storage.version++;
}
