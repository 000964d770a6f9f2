/**
 * Axon: tensors, automatic differentiation and neural networks for TypeScript — the Node.js entry.
 *
 *   import * as ax from 'axon';
 *   const x = ax.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 *   x.matmul(x).tanh().sum().backward();
 *
 * The core (src/api.ts) is host-free; this entry installs Node's files and the native backend, and
 * adds what only a Node process can do (multi-process training, hyper-parameter search).
 * src/browser.ts is the page's entry.
 */
import './node-host.js';

export * from './api.js';
export * as distributed from './distributed/index.js';
export * as tune from './tune/index.js';
