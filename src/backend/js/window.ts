import type { View, WindowGeometry } from '../backend.js';

/**
 * Visits every (image row/col, window element, output position) triple of a sliding-window
 * geometry for one [H, W] plane: fn(inputOffset or -1 when in padding, colsOffset).
 */
function forEachWindowElement(
  g: WindowGeometry,
  inStrides: readonly [number, number],
  colStrides: readonly number[], // strides of [kh, kw, oh, ow]
  fn: (inOff: number, colOff: number) => void,
): void {
  const [kh, kw] = g.kernel,
    [sh, sw] = g.stride,
    [ph, pw] = g.padding,
    [dh, dw] = g.dilation;
  const [H, W] = g.input,
    [oh, ow] = g.output;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const kOff = i * colStrides[0]! + j * colStrides[1]!;
      for (let y = 0; y < oh; y++) {
        const row = y * sh - ph + i * dh;
        const rowOk = row >= 0 && row < H;
        let colOff = kOff + y * colStrides[2]!;
        for (let x = 0; x < ow; x++, colOff += colStrides[3]!) {
          const col = x * sw - pw + j * dw;
          fn(rowOk && col >= 0 && col < W ? row * inStrides[0] + col * inStrides[1] : -1, colOff);
        }
      }
    }
  }
}

/** Calls fn(xPlaneOffset, colsPlaneOffset) for every (n, c) plane. */
function forEachPlane(img: View, cols: View, fn: (imgOff: number, colOff: number) => void): void {
  const [N, C] = img.shape as [number, number];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      fn(
        img.offset + n * img.strides[0]! + c * img.strides[1]!,
        cols.offset + n * cols.strides[0]! + c * cols.strides[1]!,
      );
    }
  }
}

export function im2col(x: View, g: WindowGeometry, padValue: number, out: View): void {
  const xd = x.data,
    od = out.data;
  const inStrides: [number, number] = [x.strides[2]!, x.strides[3]!];
  const colStrides = out.strides.slice(2);
  forEachPlane(x, out, (xo, oo) => {
    forEachWindowElement(g, inStrides, colStrides, (i, c) => {
      od[oo + c] = i < 0 ? padValue : xd[xo + i]!;
    });
  });
}

export function col2im(cols: View, g: WindowGeometry, out: View): void {
  const cd = cols.data,
    od = out.data;
  const inStrides: [number, number] = [out.strides[2]!, out.strides[3]!];
  const colStrides = cols.strides.slice(2);
  forEachPlane(out, cols, (oo, co) => {
    forEachWindowElement(g, inStrides, colStrides, (i, c) => {
      if (i >= 0) od[oo + i]! += cd[co + c]!;
    });
  });
}
