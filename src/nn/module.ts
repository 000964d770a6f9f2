import { activeTrace } from '../trace-hook.js';
import { noGrad } from '../autograd/grad-mode.js';
import { isRecord, optionsArg, show } from '../check.js';
import { boundaryError } from '../guard.js';
import { AxonError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { shapesEqual } from '../tensor/shape.js';
import { Storage, Tensor } from '../tensor/tensor.js';
import { Parameter } from './parameter.js';

/** Weights by PyTorch key name (`0.weight`, `encoder.layers.1.self_attn.in_proj_weight`, ...). */
export type StateDict = Record<string, Tensor>;

export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | void;

export interface HookHandle {
  remove(): void;
}

const WRAPPED = Symbol('axon.forwardWrapped');

/**
 * Runs forward hooks around every forward(), once per module call (a subclass calling
 * super.forward() does not run them twice), and names the module in errors raised inside it.
 */
function wrapForward(proto: object): void {
  const own = Object.getOwnPropertyDescriptor(proto, 'forward');
  if (!own || typeof own.value !== 'function' || (own.value as { [WRAPPED]?: boolean })[WRAPPED]) return;
  const original = own.value as (this: Module, ...args: unknown[]) => unknown;
  const wrapped = function (this: Module, ...args: unknown[]): unknown {
    if (this.inForward) return original.apply(this, args);
    if (this.parentRef === null) this.nameTree(); // so that errors can name submodules by path
    this.inForward = true;
    try {
      let inputs = args;
      // (size checks first: iterating an empty Map still allocates an iterator, on every layer call)
      if (this.preHooks.size) for (const hook of this.preHooks.values()) inputs = hook(this, inputs) ?? inputs;
      const trace = activeTrace();
      let output = trace
        ? trace.module(this, inputs, () => original.apply(this, inputs))
        : original.apply(this, inputs);
      if (this.hooks.size)
        for (const hook of this.hooks.values()) {
          const replaced = hook(this, inputs, output);
          if (replaced !== undefined) output = replaced;
        }
      return output;
    } catch (caught) {
      // JavaScript's own TypeError or RangeError (a wrong argument that reached a property read)
      // becomes a ValueError naming the module, the original kept as its cause.
      const e = boundaryError('forward', args, caught);
      if (e instanceof AxonError && !e.message.startsWith('[in ')) e.message = `[in ${this.describe()}] ${e.message}`;
      throw e;
    } finally {
      this.inForward = false;
    }
  };
  (wrapped as unknown as { [WRAPPED]: boolean })[WRAPPED] = true;
  Object.defineProperty(proto, 'forward', { ...own, value: wrapped });
}

let nextHookId = 0;

/**
 * The base of every layer and model, like PyTorch's nn.Module. Parameters and submodules held in
 * properties are found automatically (in the order they were assigned); built-in layers register
 * theirs under PyTorch's names so that state dicts carry over. Buffers are registered explicitly.
 */
export abstract class Module {
  training = true;
  /** @internal */ inForward = false;
  /** @internal */ readonly hooks = new Map<number, ForwardHook>();
  /** @internal */ readonly preHooks = new Map<number, ForwardPreHook>();
  private readonly params = new Map<string, Parameter | null>();
  private readonly bufs = new Map<string, Tensor | null>();
  private readonly mods = new Map<string, Module | null>();
  /** @internal */ parentRef: { module: Module; name: string } | null = null;
  private named = false;

  constructor() {
    for (let p = Object.getPrototypeOf(this); p && p !== Module.prototype; p = Object.getPrototypeOf(p)) wrapForward(p);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...args: any[]): any;

  // ---- registration -------------------------------------------------------------------------

  registerParameter<T extends Parameter | null>(name: string, param: T): T {
    checkName('registerParameter', name);
    if (param !== null && !(param instanceof Parameter))
      throw new ValueError(`registerParameter: '${name}' must be a Parameter or null, got ${show(param)}`);
    this.params.set(name, param);
    return param;
  }

  registerBuffer<T extends Tensor | null>(name: string, tensor: T): T {
    checkName('registerBuffer', name);
    if (tensor !== null && !(tensor instanceof Tensor))
      throw new ValueError(`registerBuffer: '${name}' must be a Tensor or null, got ${show(tensor)}`);
    this.bufs.set(name, tensor);
    return tensor;
  }

  registerModule<T extends Module | null>(name: string, module: T): T {
    checkName('registerModule', name);
    if (module !== null && !(module instanceof Module))
      throw new ValueError(`registerModule: '${name}' must be a Module or null, got ${show(module)}`);
    this.mods.set(name, module);
    if (module) module.parentRef = { module: this, name };
    return module;
  }

  /** Picks up Parameters and Modules assigned to properties since the last look. */
  private discover(): void {
    // Runs on every traversal (a Sequential's forward included), so the usual case — nothing new,
    // every Parameter or Module property registered under its own name — allocates nothing.
    let known: Set<unknown> | undefined;
    const props = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      const value = props[key];
      if (!(value instanceof Parameter) && !(value instanceof Module)) continue;
      if (this.params.get(key) === value || this.mods.get(key) === value) continue;
      known ??= new Set<unknown>([...this.params.values(), ...this.bufs.values(), ...this.mods.values()]);
      if (known.has(value)) continue;
      if (value instanceof Parameter) this.params.set(key, value);
      else this.registerModule(key, value);
    }
  }

  /** Registers every submodule found in properties, down the tree, once. */
  /** @internal */ nameTree(): void {
    if (this.named) return;
    this.named = true;
    for (const child of this.children()) child.nameTree();
  }

  // ---- traversal ----------------------------------------------------------------------------

  *namedChildren(): Generator<[string, Module]> {
    this.discover();
    for (const [name, m] of this.mods) if (m) yield [name, m];
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** @internal The direct submodules as an array (a container's forward: no generators per call). */
  childList(): Module[] {
    this.discover();
    const list: Module[] = [];
    for (const m of this.mods.values()) if (m) list.push(m);
    return list;
  }

  /** This module and every submodule, depth first, each once. */
  *namedModules(prefix = '', seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${name}` : name, seen);
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  *namedParameters(prefix = '', recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [path, m] of mods) {
      m.discover();
      for (const [name, p] of m.params) {
        if (!p || seen.has(p)) continue;
        seen.add(p);
        yield [path ? `${path}.${name}` : name, p];
      }
    }
  }

  parameters(recurse = true): Parameter[] {
    return [...this.namedParameters('', recurse)].map(([, p]) => p);
  }

  *namedBuffers(prefix = ''): Generator<[string, Tensor]> {
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, b] of m.bufs) if (b) yield [path ? `${path}.${name}` : name, b];
    }
  }

  buffers(): Tensor[] {
    return [...this.namedBuffers()].map(([, b]) => b);
  }

  /** Calls fn on every submodule and then on this one (PyTorch's order), e.g. for custom init. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes, freezing, gradients -------------------------------------------------------------

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** requiresGrad = false on every parameter (transfer learning: keep pre-trained layers fixed). */
  freeze(): this {
    for (const p of this.parameters()) p.requiresGrad = false;
    return this;
  }

  unfreeze(): this {
    for (const p of this.parameters()) p.requiresGrad = true;
    return this;
  }

  /** Converts every floating-point parameter and buffer to dtype, in place (same objects). */
  to(dtype: 'float32' | 'float64'): this {
    noGrad(() => {
      for (const t of [...this.parameters(), ...this.buffers()]) {
        if (t.dtype !== dtype && (t.dtype === 'float32' || t.dtype === 'float64')) t.setData(t.to(dtype));
      }
    });
    return this;
  }

  double(): this {
    return this.to('float64');
  }

  float(): this {
    return this.to('float32');
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  numParameters(onlyTrainable = false): number {
    return this.parameters().reduce((n, p) => n + (onlyTrainable && !p.requiresGrad ? 0 : p.numel), 0);
  }

  // ---- hooks ----------------------------------------------------------------------------------

  /** fn(module, inputs, output) runs after forward(); a returned value replaces the output. */
  registerForwardHook(fn: ForwardHook): HookHandle {
    const id = nextHookId++;
    this.hooks.set(id, fn);
    return { remove: () => this.hooks.delete(id) };
  }

  /** fn(module, inputs) runs before forward(); a returned array replaces the inputs. */
  registerForwardPreHook(fn: ForwardPreHook): HookHandle {
    const id = nextHookId++;
    this.preHooks.set(id, fn);
    return { remove: () => this.preHooks.delete(id) };
  }

  // ---- state ----------------------------------------------------------------------------------

  /**
   * Parameters and buffers by PyTorch key name, in PyTorch's order (each module's own parameters,
   * then its buffers, then its children's); the tensors share memory with the module. A tensor
   * shared by two modules (tied weights) is listed under both names, as PyTorch lists it.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, t, persistent] of this.stateEntries()) if (persistent) out[name] = t.detach();
    return out;
  }

  /**
   * @internal Every parameter and buffer under every name it is reachable by, in PyTorch's order,
   * with whether it is saved (the owning module decides, by its local name).
   */
  *stateEntries(prefix = ''): Generator<[string, Tensor, boolean]> {
    this.discover();
    const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
    for (const [name, p] of this.params) if (p) yield [key(name), p, true];
    for (const [name, b] of this.bufs) if (b) yield [key(name), b, !this.isNonPersistent(name)];
    for (const [name, m] of this.namedChildren()) yield* m.stateEntries(key(name));
  }

  /** @internal Buffers PyTorch does not save (none by default). */
  protected isNonPersistent(_name: string): boolean {
    return false;
  }

  /**
   * Copies values into the module's parameters and buffers by name. With strict (the default),
   * missing and unexpected keys are an error; shapes must always match. Reports every problem at
   * once, and changes nothing when it throws.
   */
  loadStateDict(
    state: StateDict | Map<string, Tensor>,
    options: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    const { entries, own, missingKeys, unexpectedKeys } = this.checkStateDict(state, options);
    noGrad(() => {
      for (const [k, v] of entries) own.get(k)?.copy_(v);
    });
    return { missingKeys, unexpectedKeys };
  }

  /** The checks of loadStateDict, without loading: throws on any problem, else says what would load. */
  checkStateDict(state: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}) {
    const strict = optionsArg('loadStateDict', options).strict ?? true;
    if (!(state instanceof Map) && !isRecord(state))
      throw new ValueError(`loadStateDict: expected an object or Map of tensors, got ${show(state)}`);
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const notTensors = [...entries].filter(([, v]) => !(v instanceof Tensor)).map(([k]) => k);
    if (notTensors.length > 0)
      throw new ValueError(`loadStateDict: these values are not tensors: ${notTensors.join(', ')}`);
    const all = [...this.stateEntries()];
    const own = new Map<string, Tensor>(all.map(([k, t]) => [k, t]));
    const saved = new Set(all.filter(([, , persistent]) => persistent).map(([k]) => k));
    const missingKeys = [...own.keys()].filter((k) => !entries.has(k) && saved.has(k));
    const unexpectedKeys = [...entries.keys()].filter((k) => !own.has(k));
    const misShaped = [...entries]
      .filter(([k, v]) => own.has(k) && !shapesEqual(own.get(k)!.shape, v.shape))
      .map(([k, v]) => `${k}: checkpoint ${fmtShape(v.shape)}, model ${fmtShape(own.get(k)!.shape)}`);
    if (misShaped.length > 0) throw new ShapeError(`loadStateDict: mis-shaped keys: ${misShaped.join('; ')}`);
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
      throw new ValueError(
        `loadStateDict: ${parts.join('; ')} (pass { strict: false } to load the matching keys only)`,
      );
    }
    return { entries, own, missingKeys, unexpectedKeys };
  }

  // ---- naming ---------------------------------------------------------------------------------

  /** The dotted path from the root module (`encoder.layers.1.linear1`), '' for a root. */
  get path(): string {
    const parts: string[] = [];
    for (let ref = this.parentRef; ref; ref = ref.module.parentRef) parts.unshift(ref.name);
    return parts.join('.');
  }

  /** The class name and path, as errors show it: `Linear(encoder.layers.1.linear1)`. */
  describe(): string {
    const path = this.path;
    return path ? `${this.constructor.name}(${path})` : this.constructor.name;
  }

  /** The layer's constructor arguments for printing, e.g. `in_features=64, out_features=10`. */
  extraRepr(): string {
    return '';
  }

  toString(): string {
    const children = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const body = children.map(([n, m]) => `  (${n}): ${m.toString().replace(/\n/g, '\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }

  /** A deep copy: same structure, fresh memory for every parameter and buffer. */
  clone(): this {
    const copy = deepCopy(this, new Map()) as this;
    copy.parentRef = null;
    return copy;
  }
}

function checkName(op: string, name: string): void {
  if (typeof name !== 'string' || !name || name.includes('.'))
    throw new ValueError(`${op}: name '${name}' must be non-empty and contain no '.'`);
}

function deepCopy(value: unknown, memo: Map<unknown, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (memo.has(value)) return memo.get(value);
  if (value instanceof Tensor) {
    const data = value.toTypedArray();
    const t = new Tensor(new Storage(data), value.shape, contiguous(value.shape), 0, value.dtype);
    const copy = value instanceof Parameter ? new Parameter(t, value.requiresGrad) : t;
    memo.set(value, copy);
    return copy;
  }
  if (value instanceof Map) {
    const m = new Map();
    memo.set(value, m);
    for (const [k, v] of value) m.set(k, deepCopy(v, memo));
    return m;
  }
  if (Array.isArray(value)) {
    const a: unknown[] = [];
    memo.set(value, a);
    for (const v of value) a.push(deepCopy(v, memo));
    return a;
  }
  const proto = Object.getPrototypeOf(value);
  if (!(value instanceof Module) && proto !== Object.prototype) return value; // generators, functions' owners, ...
  const copy = Object.create(proto) as Record<string, unknown>;
  memo.set(value, copy);
  for (const key of Object.keys(value)) copy[key] = deepCopy((value as Record<string, unknown>)[key], memo);
  return copy;
}

function contiguous(shape: readonly number[]): number[] {
  const s: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s.unshift(acc);
    acc *= shape[i]!;
  }
  return s;
}
