/**
 * `npm run demo:browser [-- --port 8080]`: builds the browser demo and serves it on localhost.
 * Open the printed address in a browser: the CNN trains in the page, then draw a digit.
 */
import { buildDemo } from './build.mjs';
import { serveStatic } from '../../test/helpers/static-server.js';

const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 8080;
const server = await serveStatic(await buildDemo(), true, port);
console.log(`Axon browser demo: ${server.url}/  (Ctrl-C stops)`);
