import { ValueError } from '../../errors.js';

export type Pair = number | readonly [number, number];

/** A size given as one number or a pair, as PyTorch's _pair. */
export function pair(op: string, name: string, v: Pair): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 0)) throw new ValueError(`${op}: ${name} must be non-negative integers, got ${JSON.stringify(v)}`);
  return p;
}

export function positivePair(op: string, name: string, v: Pair): [number, number] {
  const p = pair(op, name, v);
  if (p.some((x) => x === 0)) throw new ValueError(`${op}: ${name} must be positive, got ${JSON.stringify(v)}`);
  return p;
}

export type Reduction = 'none' | 'mean' | 'sum';
