// The part of node:assert/strict the parity suites use, for the page (aliased by build-suite.mjs).
export class AssertionError extends Error {
  override name = 'AssertionError';
}

function show(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function deepEqualValues(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a),
    kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqualValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function fail(message?: string): never {
  throw new AssertionError(message ?? 'Failed');
}

function ok(value: unknown, message?: string): asserts value {
  if (!value) fail(message ?? `expected a truthy value, got ${show(value)}`);
}

function equal(actual: unknown, expected: unknown, message?: string): void {
  if (!Object.is(actual, expected)) fail(message ?? `${show(actual)} !== ${show(expected)}`);
}

function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  if (!deepEqualValues(actual, expected)) fail(message ?? `${show(actual)} is not deeply equal to ${show(expected)}`);
}

function match(actual: string, re: RegExp, message?: string): void {
  if (!re.test(actual)) fail(message ?? `${show(actual)} does not match ${re}`);
}

type Check = RegExp | ((e: Error) => boolean) | (abstract new (...a: never[]) => Error);

/** node:assert's checks: a RegExp on the message, an error class, or a predicate. */
function check(e: Error, c: Check | undefined, message?: string): void {
  if (c instanceof RegExp) match(String(e.message), c, message);
  else if (typeof c === 'function' && c.prototype instanceof Error) {
    if (!(e instanceof c)) fail(message ?? `expected a ${c.name}, got ${e.constructor.name}: ${e.message}`);
  } else if (c && (c as (e: Error) => boolean)(e) !== true) fail(message ?? 'the error did not pass the check');
}

function throws(fn: () => unknown, c?: Check, message?: string): void {
  try {
    fn();
  } catch (e) {
    check(e as Error, c, message);
    return;
  }
  fail(message ?? 'expected the function to throw');
}

async function rejects(promise: Promise<unknown>, c?: Check, message?: string): Promise<void> {
  try {
    await promise;
  } catch (e) {
    check(e as Error, c, message);
    return;
  }
  fail(message ?? 'expected the promise to reject');
}

const assert = Object.assign((v: unknown, m?: string) => ok(v, m), {
  ok,
  equal,
  deepEqual,
  fail,
  match,
  throws,
  rejects,
});
export default assert;
