import { isIterable, isRecord, show } from '../../check.js';
import { IndexError, ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

/** Runs modules one after another; children are named '0', '1', ... (or by the keys given). */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && isRecord(first) && !(first instanceof Module)) {
      for (const [name, m] of Object.entries(first)) this.registerModule(name, m);
    } else {
      (modules as Module[]).forEach((m, i) => this.registerModule(String(i), m));
    }
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.childList()) y = m.forward(y);
    return y;
  }

  get length(): number {
    return [...this.children()].length;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const list = [...this.children()];
    const k = i < 0 ? i + list.length : i;
    if (k < 0 || k >= list.length)
      throw new IndexError(`Sequential.at: index ${i} is out of range for ${list.length} modules`);
    return list[k]!;
  }

  append(m: Module): this {
    this.registerModule(String(this.length), m);
    return this;
  }
}

/** A list of submodules that are registered (plain arrays are not). */
export class ModuleList<T extends Module = Module> extends Module implements Iterable<T> {
  private items: T[] = [];

  constructor(modules: Iterable<T> = []) {
    super();
    if (!isIterable(modules)) throw new ValueError(`ModuleList: expected an iterable of modules, got ${show(modules)}`);
    for (const m of modules) this.append(m);
  }

  append(m: T): this {
    this.registerModule(String(this.items.length), m);
    this.items.push(m);
    return this;
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): T {
    const k = i < 0 ? i + this.items.length : i;
    const m = this.items[k];
    if (!m) throw new IndexError(`ModuleList.at: index ${i} is out of range for ${this.items.length} modules`);
    return m;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }

  forward(): never {
    throw new ValueError('ModuleList has no forward(); iterate over its modules instead');
  }
}

/** Submodules by name. */
export class ModuleDict<T extends Module = Module> extends Module {
  private items = new Map<string, T>();

  constructor(modules: Record<string, T> = {}) {
    super();
    if (!isRecord(modules)) throw new ValueError(`ModuleDict: expected an object of modules, got ${show(modules)}`);
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  set(name: string, m: T): this {
    this.registerModule(name, m);
    this.items.set(name, m);
    return this;
  }

  get(name: string): T {
    const m = this.items.get(name);
    if (!m)
      throw new ValueError(`ModuleDict.get: no module named '${name}' (have: ${[...this.items.keys()].join(', ')})`);
    return m;
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  entries(): [string, T][] {
    return [...this.items.entries()];
  }

  forward(): never {
    throw new ValueError('ModuleDict has no forward(); call its modules instead');
  }
}
