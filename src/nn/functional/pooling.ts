import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { type WindowGeometry, unfoldWindows, windowCount } from '../../ops/window.js';
import { cat } from '../../ops/combine.js';
import { fromTypedArray, zeros } from '../../tensor/create.js';
import { MAX_ELEMENTS } from '../../tensor/dtype.js';
import { getBackend as backend } from '../../backend/index.js';
import { record as recordOp } from '../../autograd/record.js';
import { scatterAdd } from '../../ops/indexing.js';
import { empty } from '../../ops/util.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type Pair, pair, positivePair } from './args.js';

export interface MaxPoolOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

export interface AvgPoolOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

function geometryOf(
  op: string,
  x: Tensor,
  kernelSize: Pair,
  o: { stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean },
): WindowGeometry {
  const kernel = positivePair(op, 'kernelSize', kernelSize);
  const stride = o.stride == null ? kernel : positivePair(op, 'stride', o.stride);
  const padding = pair(op, 'padding', o.padding ?? 0);
  const dilation = positivePair(op, 'dilation', o.dilation ?? 1);
  if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) {
    throw new ValueError(
      `${op}: padding ${padding.join(', ')} should be at most half of the kernel size ${kernel.join(', ')}`,
    );
  }
  const [H, W] = [x.shape[2]!, x.shape[3]!];
  const oh = windowCount(H, kernel[0], stride[0], padding[0], dilation[0], o.ceilMode);
  const ow = windowCount(W, kernel[1], stride[1], padding[1], dilation[1], o.ceilMode);
  if (oh <= 0 || ow <= 0)
    throw new ShapeError(
      `${op}: input ${fmtShape(x.shape)} is smaller than the kernel ${kernel.join('×')} (padding ${padding.join(', ')})`,
    );
  return { kernel, stride, padding, dilation, input: [H, W], output: [oh, ow] };
}

function batched(op: string, x: Tensor, rank: number, fn: (x: Tensor) => Tensor): Tensor {
  if (x.ndim === rank - 1) return fn(x.unsqueeze(0)).squeeze(0);
  if (x.ndim !== rank)
    throw new ShapeError(
      `${op}: expected a ${rank}-D input ([N, C, ${rank === 4 ? 'H, W' : 'L'}]) or ${rank - 1}-D unbatched, got ${fmtShape(x.shape)}`,
    );
  return fn(x);
}

/** Max over each window; the gradient goes to the first maximum, as in PyTorch. */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: MaxPoolOptions = {}): Tensor {
  return batched('maxPool2d', x, 4, (x4) => {
    const g = geometryOf('maxPool2d', x4, kernelSize, options);
    const [N, C] = x4.shape as [number, number];
    const b = backend();
    if (b.maxPool2d) {
      // One kernel finds each window's maximum and where it is; the gradient is a scatter-add there.
      const out = empty([N, C, ...g.output], x4.dtype),
        indices = empty([N, C, ...g.output], 'int32');
      if (out.numel > 0) b.maxPool2d(x4, g, out, indices);
      const flatIdx = indices.reshape(N, C, -1);
      const result = recordOp('maxPool2d', out, [x4], (grad) => [
        scatterAdd(
          zeros([N, C, g.input[0] * g.input[1]], { dtype: grad.dtype }),
          2,
          flatIdx,
          grad.reshape(N, C, -1),
        ).reshape(x4.shape),
      ]);
      // Without a graph the indices are dead: their array goes back to the pool at once (a server's
      // CNN otherwise allocated fresh ones for every batch, and the collector ran every ~80 ms).
      if (!result.gradFn) indices.dispose();
      return result;
    }
    const cols = unfoldWindows(x4, g, -Infinity).reshape(N, C, g.kernel[0] * g.kernel[1], ...g.output);
    return cols.gather(2, cols.argmax(2, { keepdim: true })).squeeze(2);
  });
}

export function maxPool1d(
  x: Tensor,
  kernelSize: number,
  options: { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean } = {},
): Tensor {
  return batched('maxPool1d', x, 3, (x3) =>
    maxPool2d(x3.unsqueeze(2), [1, kernelSize], {
      stride: [1, options.stride ?? kernelSize],
      padding: [0, options.padding ?? 0],
      dilation: [1, options.dilation ?? 1],
      ceilMode: options.ceilMode,
    }).squeeze(2),
  );
}

/** Mean over each window; padding counts as zeros unless countIncludePad is false. */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: AvgPoolOptions = {}): Tensor {
  return batched('avgPool2d', x, 4, (x4) => {
    const g = geometryOf('avgPool2d', x4, kernelSize, options);
    const [N, C] = x4.shape as [number, number];
    const sums = unfoldWindows(x4, g, 0)
      .reshape(N, C, g.kernel[0] * g.kernel[1], ...g.output)
      .sum(2);
    if (options.divisorOverride != null) return sums.div(options.divisorOverride);
    return sums.div(divisors(g, options.countIncludePad ?? true, x4.dtype === 'float64'));
  });
}

/** Per output position: the window size clipped to the padded input (or to the input itself). */
function divisors(g: WindowGeometry, includePad: boolean, double: boolean): Tensor {
  const [oh, ow] = g.output;
  const d = double ? new Float64Array(oh * ow) : new Float32Array(oh * ow);
  const span = (o: number, k: number, s: number, p: number, size: number) => {
    let start = o * s - p;
    let end = Math.min(start + k, size + p);
    const padded = end - start;
    start = Math.max(start, 0);
    end = Math.min(end, size);
    return includePad ? padded : end - start;
  };
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      d[i * ow + j] =
        span(i, g.kernel[0], g.stride[0], g.padding[0], g.input[0]) *
        span(j, g.kernel[1], g.stride[1], g.padding[1], g.input[1]);
    }
  }
  return fromTypedArray(d, [oh, ow]);
}

export function avgPool1d(
  x: Tensor,
  kernelSize: number,
  options: { stride?: number | null; padding?: number; ceilMode?: boolean; countIncludePad?: boolean } = {},
): Tensor {
  return batched('avgPool1d', x, 3, (x3) =>
    avgPool2d(x3.unsqueeze(2), [1, kernelSize], {
      stride: [1, options.stride ?? kernelSize],
      padding: [0, options.padding ?? 0],
      ceilMode: options.ceilMode,
      countIncludePad: options.countIncludePad,
    }).squeeze(2),
  );
}

/** Average pooling to a fixed output size; window i spans [floor(i·H/out), ceil((i+1)·H/out)). */
/**
 * Adaptive pooling to a fixed output size: output cell (i, j) reduces input rows
 * [⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉) and the same for columns, as PyTorch's adaptive pools; when the sizes
 * divide, one ordinary pooling does it.
 */
function adaptivePool2d(op: string, x: Tensor, outputSize: Pair, kind: 'avg' | 'max'): Tensor {
  return batched(op, x, 4, (x4) => {
    const [oh, ow] = positivePair(op, 'outputSize', outputSize);
    const [H, W] = [x4.shape[2]!, x4.shape[3]!];
    // The loop below makes one small tensor per output cell: refuse sizes no tensor could hold first.
    if (x4.shape[0]! * x4.shape[1]! * oh * ow > MAX_ELEMENTS || oh * ow > MAX_ELEMENTS) {
      throw new ValueError(
        `${op}: output size [${oh}, ${ow}] for input ${fmtShape(x4.shape)} is more than a tensor can hold`,
      );
    }
    if (H % oh === 0 && W % ow === 0)
      return kind === 'avg' ? avgPool2d(x4, [H / oh, W / ow]) : maxPool2d(x4, [H / oh, W / ow]);
    const rows: Tensor[] = [];
    for (let i = 0; i < oh; i++) {
      const h0 = Math.floor((i * H) / oh),
        h1 = Math.ceil(((i + 1) * H) / oh);
      const cells: Tensor[] = [];
      for (let j = 0; j < ow; j++) {
        const w0 = Math.floor((j * W) / ow),
          w1 = Math.ceil(((j + 1) * W) / ow);
        const region = x4.narrow(2, h0, h1 - h0).narrow(3, w0, w1 - w0);
        cells.push(kind === 'avg' ? region.mean([2, 3], { keepdim: true }) : region.amax([2, 3], { keepdim: true }));
      }
      rows.push(cat(cells, 3));
    }
    return cat(rows, 2);
  });
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  return adaptivePool2d('adaptiveAvgPool2d', x, outputSize, 'avg');
}

export function adaptiveMaxPool2d(x: Tensor, outputSize: Pair): Tensor {
  return adaptivePool2d('adaptiveMaxPool2d', x, outputSize, 'max');
}

export function adaptiveMaxPool1d(x: Tensor, outputSize: number): Tensor {
  return batched('adaptiveMaxPool1d', x, 3, (x3) => adaptiveMaxPool2d(x3.unsqueeze(2), [1, outputSize]).squeeze(2));
}

export function adaptiveAvgPool1d(x: Tensor, outputSize: number): Tensor {
  return batched('adaptiveAvgPool1d', x, 3, (x3) => adaptiveAvgPool2d(x3.unsqueeze(2), [1, outputSize]).squeeze(2));
}
