import { ValueError } from '../../errors.js';

export type Pair = number | readonly [number, number];

/** A size given as one number or a pair, as PyTorch's _pair. */
export function pair(op: string, name: string, v: Pair): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 0))
    throw new ValueError(`${op}: ${name} must be non-negative integers, got ${JSON.stringify(v)}`);
  return p;
}

export function positivePair(op: string, name: string, v: Pair): [number, number] {
  const p = pair(op, name, v);
  if (p.some((x) => x === 0)) throw new ValueError(`${op}: ${name} must be positive, got ${JSON.stringify(v)}`);
  return p;
}

export type Reduction = 'none' | 'mean' | 'sum';

/** An integer argument ≥ `min` (a size, a count), named in the error when it is not one. */
export function intArg(op: string, name: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new ValueError(
      `${op}: ${name} must be an integer ≥ ${min}, got ${typeof v === 'number' ? v : (JSON.stringify(v) ?? typeof v)}`,
    );
  }
  return v;
}

/** `channels` split into `groups` equal parts, as torch.nn's convolutions require. */
export function checkGroups(op: string, inChannels: number, outChannels: number, groups: unknown): number {
  const g = intArg(op, 'groups', groups, 1);
  if (inChannels % g !== 0)
    throw new ValueError(`${op}: inChannels (${inChannels}) must be divisible by groups (${g})`);
  if (outChannels % g !== 0)
    throw new ValueError(`${op}: outChannels (${outChannels}) must be divisible by groups (${g})`);
  return g;
}
