// What every Node entry point loads first (the package entry, the CLI, worker threads, trial
// processes): tensor methods, Node's files and processes as the platform, the native and wasm backends.
import './ops/methods.js';
import './platform/node.js';
import './backend/native/register.js';
