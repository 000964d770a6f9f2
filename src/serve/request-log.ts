// Sampled request logging for retraining: one JSON line per sampled successful inference with the
// model, version, inputs and outputs, appended through a write stream (never blocking a request).
import { type WriteStream, createWriteStream } from 'node:fs';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

export interface RequestLogOptions {
  /** A JSON-lines file, appended to. */
  path: string;
  /** The share of requests written, in (0, 1] (default 1: every request). */
  sampleRate?: number;
  /** Random numbers in [0, 1) that decide the sampling (default Math.random; tests pass their own). */
  random?: () => number;
}

const json = (t: Tensor) => ({ shape: t.shape, dtype: t.dtype, data: Array.from(t.contiguous().toTypedArray()) });

export class RequestLog {
  private readonly stream: WriteStream;
  private readonly rate: number;
  private readonly random: () => number;
  /** Lines written so far. */
  written = 0;

  constructor(options: RequestLogOptions) {
    const rate = options.sampleRate ?? 1;
    if (!(rate > 0 && rate <= 1))
      throw new ValueError(`serve: the request log's sampleRate must be in (0, 1], got ${rate}`);
    if (typeof options.path !== 'string' || options.path === '')
      throw new ValueError('serve: the request log needs a file path');
    this.rate = rate;
    this.random = options.random ?? Math.random;
    this.stream = createWriteStream(options.path, { flags: 'a' });
    // A log that cannot be written (a missing directory, a full disk) must not take the server down.
    this.stream.on('error', (e) => console.error(`axon serve: the request log stopped: ${e.message}`));
  }

  /** Writes the request, if it is sampled. */
  record(model: string, version: string, inputs: Record<string, Tensor>, outputs: Record<string, Tensor>): void {
    if (this.random() >= this.rate) return;
    const line = {
      time: new Date().toISOString(),
      model,
      version,
      inputs: Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, json(t)])),
      outputs: Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, json(t)])),
    };
    this.stream.write(`${JSON.stringify(line)}\n`);
    this.written++;
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
