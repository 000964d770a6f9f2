// The dashboard server in a worker thread, so it answers while fit's synchronous loop keeps the main
// thread busy. Reports the bound port (or −1 on failure) through a shared Int32Array.
import { parentPort, workerData } from 'node:worker_threads';
import { createDashboardServer } from './server.js';

const { logDir, port, host, signal } = workerData as { logDir: string; port: number; host: string; signal: Int32Array };
const app = createDashboardServer(logDir);
app
  .listen({ port, host })
  .then(() => {
    const address = app.server.address();
    Atomics.store(signal, 0, typeof address === 'object' && address ? address.port : -1);
  })
  .catch((e: Error) => {
    parentPort?.postMessage({ error: e.message });
    Atomics.store(signal, 0, -1);
  })
  .finally(() => Atomics.notify(signal, 0));
parentPort?.on('message', (msg: string) => {
  if (msg === 'close') void app.close().then(() => process.exit(0));
});
