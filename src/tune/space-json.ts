import { show } from '../check.js';
import { ValueError } from '../errors.js';
import { type SearchSpace, choice, integer, logUniform, uniform } from './space.js';

/**
 * A search space written as JSON (for `axon tune --space`): each dimension is a constant or one of
 * `{ "uniform": [low, high] }`, `{ "logUniform": [low, high] }`, `{ "integer": [low, high] }`,
 * `{ "choice": [values…] }`.
 */
export function spaceFromJson(json: unknown, source = 'the search space'): SearchSpace {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ValueError(`tune: ${source} must be a JSON object of dimensions, got ${show(json)}`);
  const space: SearchSpace = {};
  for (const [name, d] of Object.entries(json)) {
    if (typeof d === 'number' || typeof d === 'string' || typeof d === 'boolean') {
      space[name] = d;
      continue;
    }
    const keys = d && typeof d === 'object' && !Array.isArray(d) ? Object.keys(d) : [];
    const [kind] = keys;
    const args = kind ? (d as Record<string, unknown>)[kind] : undefined;
    const pair = Array.isArray(args) && args.length === 2 ? (args as [number, number]) : null;
    if (keys.length === 1 && kind === 'choice' && Array.isArray(args)) space[name] = choice(args);
    else if (keys.length === 1 && pair && kind === 'uniform') space[name] = uniform(...pair);
    else if (keys.length === 1 && pair && kind === 'logUniform') space[name] = logUniform(...pair);
    else if (keys.length === 1 && pair && kind === 'integer') space[name] = integer(...pair);
    else
      throw new ValueError(
        `tune: dimension '${name}' of ${source} must be a constant or {"uniform"|"logUniform"|"integer": [low, high]} or {"choice": [...]}, got ${show(d)}`,
      );
  }
  return space;
}
