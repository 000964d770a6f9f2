// PyTorch's SummaryWriter for TensorBoard: scalars, histograms and images appended to an event file
// (events.out.tfevents.<seconds>.<host>.<pid>.<n>) in a run directory, one record per call, so a
// TensorBoard reading the directory sees each value as soon as it is written.
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { encodeImageGrid } from '../../io/image.js';
import { Tensor } from '../../tensor/tensor.js';
import { type HistogramValue, type SummaryValue, encodeEvent } from './event-proto.js';
import { frameRecord } from './records.js';
import { platform } from '../../platform/platform.js';

let files = 0;

export class SummaryWriter {
  /** The event file this writer appends to. */
  readonly path: string;
  private closed = false;

  constructor(readonly logDir: string) {
    if (typeof logDir !== 'string' || logDir === '')
      throw new ValueError('SummaryWriter: logDir must be a directory path');
    platform().mkdirp(logDir);
    const now = Date.now() / 1000;
    this.path = platform().join(
      logDir,
      `events.out.tfevents.${Math.floor(now)}.${platform().hostname()}.${platform().pid()}.${files++}`,
    );
    this.append({ wallTime: now, step: 0, fileVersion: 'brain.Event:2' });
  }

  private append(e: Parameters<typeof encodeEvent>[0]): void {
    if (this.closed) throw new ValueError(`SummaryWriter: ${this.path} is closed`);
    platform().appendFile(this.path, frameRecord(encodeEvent(e)));
  }

  private write(step: number, value: SummaryValue, wallTime?: number): void {
    if (!Number.isSafeInteger(step) || step < 0)
      throw new ValueError(`SummaryWriter: step must be an integer ≥ 0, got ${step}`);
    if (typeof value.tag !== 'string' || value.tag === '')
      throw new ValueError('SummaryWriter: tag must be a non-empty string');
    this.append({ wallTime: wallTime ?? Date.now() / 1000, step, values: [value] });
  }

  addScalar(tag: string, value: number, step: number, wallTime?: number): void {
    if (typeof value !== 'number' || Number.isNaN(value))
      throw new ValueError(`SummaryWriter.addScalar: '${tag}' must be a number, got ${value}`);
    this.write(step, { tag, scalar: value }, wallTime);
  }

  /** The values' distribution in `bins` equal buckets between their min and max. */
  addHistogram(tag: string, values: Tensor, step: number, options: { bins?: number; wallTime?: number } = {}): void {
    if (!(values instanceof Tensor) || values.numel === 0)
      throw new ValueError(`SummaryWriter.addHistogram: '${tag}' needs a non-empty Tensor`);
    const bins = options.bins ?? 30;
    if (!Number.isInteger(bins) || bins < 1)
      throw new ValueError(`SummaryWriter.addHistogram: bins must be ≥ 1, got ${bins}`);
    this.write(step, { tag, histogram: histogram(tag, values, bins) }, options.wallTime);
  }

  /** An image [C, H, W] or a batch [N, C, H, W] (laid out as a grid), values in `range` (default [0, 1]). */
  addImage(tag: string, image: Tensor, step: number, options: { range?: [number, number]; scale?: number } = {}): void {
    if (!(image instanceof Tensor) || (image.ndim !== 3 && image.ndim !== 4))
      throw new ShapeError(
        `SummaryWriter.addImage: '${tag}' must be [C, H, W] or [N, C, H, W], got ${image instanceof Tensor ? fmtShape(image.shape) : typeof image}`,
      );
    const batch = image.ndim === 3 ? image.unsqueeze(0) : image;
    const single = batch.shape[0] === 1;
    const png = encodeImageGrid(batch, { range: options.range, scale: options.scale, padding: single ? 0 : 2 });
    // Width and height are in the PNG's header (bytes 16–23).
    const view = new DataView(png.buffer, png.byteOffset);
    const width = view.getUint32(16),
      height = view.getUint32(20);
    this.write(step, { tag, image: { width, height, colorspace: 4, png } }); // RGBA PNG
  }

  close(): void {
    this.closed = true;
  }
}

function histogram(tag: string, values: Tensor, bins: number): HistogramValue {
  const v = values.contiguous().toTypedArray();
  let min = Infinity,
    max = -Infinity,
    sum = 0,
    sumSquares = 0;
  for (const x of v) {
    const n = Number(x);
    if (!Number.isFinite(n)) throw new ValueError(`SummaryWriter.addHistogram: '${tag}' holds ${n}`);
    if (n < min) min = n;
    if (n > max) max = n;
    sum += n;
    sumSquares += n * n;
  }
  if (max === min) return { min, max, num: v.length, sum, sumSquares, bucketLimit: [max], bucket: [v.length] };
  const width = (max - min) / bins;
  const bucket = new Array<number>(bins).fill(0);
  for (const x of v) bucket[Math.min(bins - 1, Math.floor((Number(x) - min) / width))]!++;
  const bucketLimit = bucket.map((_, i) => (i === bins - 1 ? max : min + (i + 1) * width));
  return { min, max, num: v.length, sum, sumSquares, bucketLimit, bucket };
}
