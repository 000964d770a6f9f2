// Starting the dashboard from a training script: a worker thread serves the log directory; the
// caller waits (synchronously, for at most timeoutMs) until it listens, so fit can print the URL
// before its first epoch.
import type { Worker } from 'node:worker_threads';
import { optionsArg } from '../check.js';
import { AxonError, ValueError } from '../errors.js';
import { startWorkerScript } from '../worker-script.js';

export interface DashboardHandle {
  url: string;
  /** Stops the server and its worker. */
  close(): Promise<void>;
}

export function startDashboard(
  logDir: string,
  o: { port?: number; host?: string; timeoutMs?: number } = {},
): DashboardHandle {
  if (typeof logDir !== 'string' || logDir === '')
    throw new ValueError(`startDashboard: logDir must be a directory path, got ${typeof logDir}`);
  optionsArg('startDashboard', o);
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535))
    throw new ValueError(`startDashboard: port must be an integer in [0, 65535], got ${o.port}`);
  if (o.host !== undefined && typeof o.host !== 'string') throw new ValueError('startDashboard: host must be a string');
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const host = o.host ?? '127.0.0.1';
  const worker: Worker = startWorkerScript(import.meta.url, 'worker', { logDir, port: o.port ?? 0, host, signal });
  const outcome = Atomics.wait(signal, 0, 0, o.timeoutMs ?? 20_000);
  const port = Atomics.load(signal, 0);
  if (outcome === 'timed-out' || port <= 0) {
    void worker.terminate();
    throw new AxonError(
      `dashboard: could not listen on ${host}:${o.port ?? 0}${outcome === 'timed-out' ? ' (timed out)' : ' (port in use?)'}`,
    );
  }
  // The dashboard must not keep a finished script alive.
  worker.unref();
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.ref(); // waited on now: keep the process alive until the worker has closed
        worker.postMessage('close');
      }),
  };
}
