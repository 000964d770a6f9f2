import { Worker } from 'node:worker_threads';

/**
 * Starts the worker script `name` beside the module at `from` (its import.meta.url). Built, that is
 * name.js. Run from the TypeScript sources (development, tests under tsx), Node 20 does not carry
 * tsx's loader into workers, so a small bootstrap registers it in the worker first.
 */
export function startWorkerScript(from: string, name: string, workerData: unknown): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const script = new URL(`./${name}.ts`, from).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
