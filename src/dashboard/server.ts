// The training dashboard's HTTP server (Fastify): the page and its charting library (uPlot) as
// static files, and a small JSON API over the log directory that the page polls every second.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { listRuns, readMetrics, runDir } from './runs.js';

const ASSETS = fileURLToPath(new URL('../../assets/dashboard/', import.meta.url));
const UPLOT = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));

const STATIC: Record<string, [string, string]> = {
  '/': [join(ASSETS, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(ASSETS, 'app.js'), 'text/javascript; charset=utf-8'],
  '/style.css': [join(ASSETS, 'style.css'), 'text/css; charset=utf-8'],
  '/uplot.js': [join(UPLOT, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  '/uplot.css': [join(UPLOT, 'uPlot.min.css'), 'text/css; charset=utf-8'],
};

const IMAGE_NAME = /^[\w.-]+\.png$/i;

export function createDashboardServer(logDir: string, options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  for (const [url, [file, type]] of Object.entries(STATIC)) {
    app.get(url, (_req, reply) => reply.type(type).header('cache-control', 'no-cache').send(readFileSync(file)));
  }
  app.get('/favicon.ico', (_req, reply) => reply.status(204).send());
  app.get('/api/runs', () => ({ logDir, runs: listRuns(logDir) }));
  app.get<{ Querystring: { run?: string } }>('/api/metrics', (req, reply) => {
    const name = req.query.run ?? '';
    const dir = runDir(logDir, name);
    const run = dir && listRuns(logDir).find((r) => r.name === name);
    if (!dir || !run) return reply.status(404).send({ error: `no run '${name}' in ${logDir}` });
    return { run: name, rows: readMetrics(dir, run.metricsFiles) };
  });
  app.get<{ Querystring: { run?: string; file?: string } }>('/api/image', (req, reply) => {
    const dir = runDir(logDir, req.query.run ?? '');
    const file = req.query.file ?? '';
    if (!dir || !IMAGE_NAME.test(file)) return reply.status(404).send({ error: 'no such image' });
    try {
      return reply
        .type('image/png')
        .header('cache-control', 'no-cache')
        .send(readFileSync(join(dir, file)));
    } catch {
      return reply.status(404).send({ error: `no image '${file}'` });
    }
  });
  return app;
}
