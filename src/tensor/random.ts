import { ValueError } from '../errors.js';

/**
 * A seedable random generator (xoshiro128**, seeded through splitmix32). Every random draw in
 * Axon goes through a Generator so that `manualSeed(n)` makes a run reproducible.
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null; // Box-Muller makes normals in pairs

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new ValueError(`manualSeed: seed must be a finite number, got ${seed}`);
    let x = (Math.floor(seed) ^ Math.floor(seed / 0x100000000)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
    this.spare = null;
    return this;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  /** The full state, to save in a checkpoint and restore with setState. */
  getState(): number[] {
    return [...this.s, this.spare === null ? NaN : this.spare];
  }

  /**
   * Restores a state from getState(). Checked whole before anything changes: four unsigned 32-bit
   * words, not all zero (xoshiro's one fixed point: it would then draw 0 forever and randn would
   * never finish), and a spare normal that is a finite number or NaN/null for none.
   */
  setState(state: readonly (number | null)[]): void {
    Generator.checkState(state);
    const spare = state[4];
    this.s.set(state.slice(0, 4) as number[]);
    this.spare = spare === null || spare === undefined || Number.isNaN(spare) ? null : spare;
  }

  /** Throws unless `state` is one setState accepts. */
  static checkState(state: readonly (number | null)[]): void {
    const usage = 'expected 4 unsigned 32-bit words and a spare normal, as returned by getState()';
    if (!Array.isArray(state) || state.length !== 5)
      throw new ValueError(`Generator.setState: ${usage}, got ${JSON.stringify(state)?.slice(0, 80)}`);
    const words = state.slice(0, 4);
    if (words.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new ValueError(`Generator.setState: ${usage}, got words ${JSON.stringify(words)}`);
    }
    if (words.every((v) => v === 0))
      throw new ValueError(
        'Generator.setState: the state words are all zero, which xoshiro128** can never leave; use manualSeed() for a fresh state',
      );
    const spare = state[4];
    if (spare !== null && (typeof spare !== 'number' || (!Number.isNaN(spare) && !Number.isFinite(spare)))) {
      throw new ValueError(
        `Generator.setState: the spare normal must be a finite number, NaN or null, got ${String(spare)}`,
      );
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The generator used when none is passed. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator, like torch.manual_seed. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
