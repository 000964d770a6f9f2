import assert from 'node:assert/strict';
import * as ax from '../../src/index.js';

/** Asserts fn throws an Axon error of the given class whose message matches every pattern. */
export function throwsTyped(fn: () => unknown, type: new (...a: never[]) => Error, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e.constructor.name}: ${e.message}`);
    assert.ok(e instanceof ax.AxonError, `${e.constructor.name} is not one of Axon's errors`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}
