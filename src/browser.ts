/**
 * Axon in a web page: the same API as in Node, on the JS backend (and the WebAssembly backend once
 * `await ax.initWasm()` has run). Files are bytes here: parseSafetensors, parseCsv, onnx.load(bytes).
 * Bundled by scripts/build-browser.mjs into dist/axon.browser.js.
 */
import './platform/browser.js';

export * from './api.js';
