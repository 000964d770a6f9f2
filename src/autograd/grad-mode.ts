import { ValueError } from '../errors.js';

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Turns graph recording on or off until changed again (for code that cannot use a callback). */
export function setGradEnabled(value: boolean): void {
  if (typeof value !== 'boolean') throw new ValueError(`setGradEnabled: expected a boolean, got ${typeof value}`);
  enabled = value;
}

function withGradMode<T>(mode: boolean, fn: () => T, name: string): T {
  if (typeof fn !== 'function')
    throw new ValueError(`${name}: expected a function to run, got ${fn === null ? 'null' : typeof fn}`);
  const previous = enabled;
  enabled = mode;
  try {
    const result = fn();
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      throw new ValueError(
        `${name}: the callback returned a Promise; grad mode cannot follow async code. Use setGradEnabled() around awaits instead`,
      );
    }
    return result;
  } finally {
    enabled = previous;
  }
}

/** Runs fn without recording operations for autograd (inference, parameter updates). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn, 'noGrad');
}

/** Runs fn with recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn, 'enableGrad');
}
