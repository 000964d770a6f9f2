// node:test's describe/test for the page (test/browser/build-suite.mjs aliases 'node:test' here): tests
// are collected while the suite module loads, then run one by one by runAll().
type Fn = () => unknown;
interface Options {
  skip?: string | boolean;
}
const tests: { name: string; fn: Fn }[] = [];
const prefix: string[] = [];

function args(a: Options | Fn, b?: Fn): [Options, Fn | undefined] {
  return typeof a === 'function' ? [{}, a] : [a, b];
}

export function describe(name: string, a: Options | Fn, b?: Fn): void {
  const [options, fn] = args(a, b);
  if (options.skip || !fn) return;
  prefix.push(name);
  try {
    fn();
  } finally {
    prefix.pop();
  }
}

export function test(name: string, a: Options | Fn, b?: Fn): void {
  const [options, fn] = args(a, b);
  if (options.skip || !fn) return;
  tests.push({ name: [...prefix, name].join(' › '), fn });
}

export async function runAll(): Promise<{ name: string; error?: string }[]> {
  const results: { name: string; error?: string }[] = [];
  for (const t of tests) {
    try {
      await t.fn();
      results.push({ name: t.name });
    } catch (e) {
      results.push({ name: t.name, error: `${(e as Error).name}: ${(e as Error).message}` });
    }
  }
  return results;
}
