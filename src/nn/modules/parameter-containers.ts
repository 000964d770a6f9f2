// Parameters held in a list or by name (PyTorch's ParameterList, ParameterDict): registered, so
// they appear in parameters() and the state dict ('0', '1', … or their names).
import { isIterable, isRecord, show } from '../../check.js';
import { IndexError, ValueError } from '../../errors.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export class ParameterList extends Module implements Iterable<Parameter> {
  private items: Parameter[] = [];

  constructor(params: Iterable<Parameter> = []) {
    super();
    if (!isIterable(params))
      throw new ValueError(`ParameterList: expected an iterable of parameters, got ${show(params)}`);
    for (const p of params) this.append(p);
  }

  append(p: Parameter): this {
    if (!(p instanceof Parameter)) throw new ValueError(`ParameterList.append: expected a Parameter, got ${show(p)}`);
    this.registerParameter(String(this.items.length), p);
    this.items.push(p);
    return this;
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): Parameter {
    const k = i < 0 ? i + this.items.length : i;
    const p = this.items[k];
    if (!p) throw new IndexError(`ParameterList.at: index ${i} is out of range for ${this.items.length} parameters`);
    return p;
  }

  [Symbol.iterator](): Iterator<Parameter> {
    return this.items[Symbol.iterator]();
  }

  forward(): never {
    throw new ValueError('ParameterList has no forward(); use its parameters in your own module');
  }
}

export class ParameterDict extends Module {
  private items = new Map<string, Parameter>();

  constructor(params: Record<string, Parameter> = {}) {
    super();
    if (!isRecord(params)) throw new ValueError(`ParameterDict: expected an object of parameters, got ${show(params)}`);
    for (const [k, p] of Object.entries(params)) this.set(k, p);
  }

  set(name: string, p: Parameter): this {
    if (!(p instanceof Parameter))
      throw new ValueError(`ParameterDict.set: '${name}' must be a Parameter, got ${show(p)}`);
    this.registerParameter(name, p);
    this.items.set(name, p);
    return this;
  }

  get(name: string): Parameter {
    const p = this.items.get(name);
    if (!p)
      throw new ValueError(
        `ParameterDict.get: no parameter named '${name}' (have: ${[...this.items.keys()].join(', ')})`,
      );
    return p;
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  forward(): never {
    throw new ValueError('ParameterDict has no forward(); use its parameters in your own module');
  }
}
