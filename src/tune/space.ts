import { show } from '../check.js';
import { ValueError } from '../errors.js';
import type { Generator } from '../tensor/random.js';

/** One dimension of a search space. */
export type Domain =
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'logUniform'; low: number; high: number }
  | { kind: 'integer'; low: number; high: number }
  | { kind: 'choice'; values: readonly unknown[] };

export type SearchSpace = Record<string, Domain | number | string | boolean>;
export type Config = Record<string, unknown>;

function finite(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ValueError(`tune.${fn}: ${name} must be a finite number, got ${show(v)}`);
  return v;
}

/** A float drawn uniformly from [low, high). */
export function uniform(low: number, high: number): Domain {
  if (!(finite('uniform', 'low', low) < finite('uniform', 'high', high)))
    throw new ValueError(`tune.uniform: low must be below high, got [${low}, ${high})`);
  return { kind: 'uniform', low, high };
}

/** A float whose logarithm is uniform over [log low, log high): learning rates, weight decays. */
export function logUniform(low: number, high: number): Domain {
  if (!(finite('logUniform', 'low', low) > 0) || !(finite('logUniform', 'high', high) > low))
    throw new ValueError(`tune.logUniform: needs 0 < low < high, got [${low}, ${high})`);
  return { kind: 'logUniform', low, high };
}

/** An integer drawn uniformly from low…high, both included. */
export function integer(low: number, high: number): Domain {
  if (!Number.isInteger(low) || !Number.isInteger(high) || low > high)
    throw new ValueError(`tune.integer: needs integers low ≤ high, got ${show(low)}, ${show(high)}`);
  return { kind: 'integer', low, high };
}

/** One of the listed values; grid search tries each. */
export function choice(values: readonly unknown[]): Domain {
  if (!Array.isArray(values) || values.length === 0)
    throw new ValueError(`tune.choice: expected a non-empty array of values, got ${show(values)}`);
  return { kind: 'choice', values };
}

function isDomain(v: unknown): v is Domain {
  return typeof v === 'object' && v !== null && 'kind' in v;
}

export function checkSpace(space: SearchSpace): void {
  if (typeof space !== 'object' || space === null || Array.isArray(space) || Object.keys(space).length === 0)
    throw new ValueError(`tune: the search space must be an object of dimensions, got ${show(space)}`);
  for (const [name, d] of Object.entries(space)) {
    if (isDomain(d) || ['number', 'string', 'boolean'].includes(typeof d)) continue;
    throw new ValueError(
      `tune: dimension '${name}' must be tune.uniform/logUniform/integer/choice or a constant, got ${show(d)}`,
    );
  }
}

/** A random configuration (random search, and the trials ASHA starts). */
export function sampleConfig(space: SearchSpace, g: Generator): Config {
  const config: Config = {};
  for (const [name, d] of Object.entries(space)) {
    if (!isDomain(d)) config[name] = d;
    else if (d.kind === 'uniform') config[name] = d.low + g.random() * (d.high - d.low);
    else if (d.kind === 'logUniform') config[name] = Math.exp(Math.log(d.low) + g.random() * Math.log(d.high / d.low));
    else if (d.kind === 'integer') config[name] = g.integer(d.low, d.high + 1);
    else config[name] = d.values[g.integer(0, d.values.length)];
  }
  return config;
}

/** Every combination of the choices (grid search); continuous dimensions have no grid. */
export function gridConfigs(space: SearchSpace): Config[] {
  let configs: Config[] = [{}];
  for (const [name, d] of Object.entries(space)) {
    let values: readonly unknown[];
    if (!isDomain(d)) values = [d];
    else if (d.kind === 'choice') values = d.values;
    else if (d.kind === 'integer' && d.high - d.low < 1000)
      values = Array.from({ length: d.high - d.low + 1 }, (_, i) => d.low + i);
    else
      throw new ValueError(
        `tune: grid search needs a finite set of values; '${name}' is ${d.kind} — give it as tune.choice([...])`,
      );
    configs = configs.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  return configs;
}
