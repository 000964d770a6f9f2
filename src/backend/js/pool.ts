import type { View, WindowGeometry } from '../backend.js';

/** Max pooling with argmax indices (first maximum; NaN wins, as PyTorch's CPU kernel). */
export function maxPool2d(x: View, g: WindowGeometry, out: View, indices: View): void {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [oh, ow] = g.output,
    [kh, kw] = g.kernel,
    [sh, sw] = g.stride,
    [ph, pw] = g.padding,
    [dh, dw] = g.dilation;
  const xd = x.data,
    od = out.data,
    id = indices.data;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const x0 = x.offset + n * x.strides[0]! + c * x.strides[1]!;
      const o0 = out.offset + n * out.strides[0]! + c * out.strides[1]!;
      const i0 = indices.offset + n * indices.strides[0]! + c * indices.strides[1]!;
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          let best = -Infinity,
            bestIdx = -1;
          for (let i = 0; i < kh; i++) {
            const row = y * sh - ph + i * dh;
            if (row < 0 || row >= H) continue;
            for (let j = 0; j < kw; j++) {
              const col = xo * sw - pw + j * dw;
              if (col < 0 || col >= W) continue;
              const v = xd[x0 + row * x.strides[2]! + col * x.strides[3]!]!;
              if (bestIdx < 0 || v > best || (v !== v && best === best)) {
                best = v;
                bestIdx = row * W + col;
              }
            }
          }
          od[o0 + y * out.strides[2]! + xo * out.strides[3]!] = best;
          id[i0 + y * indices.strides[2]! + xo * indices.strides[3]!] = bestIdx;
        }
      }
    }
  }
}

/** Depthwise convolution, one kernel tap at a time over each output plane (the contract in backend.ts). */
export function depthwiseConv2d(x: View, w: View, g: WindowGeometry, out: View): void {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const Cout = out.shape[1]!;
  const m = Cout / C;
  const [oh, ow] = g.output,
    [kh, kw] = g.kernel,
    [sh, sw] = g.stride,
    [ph, pw] = g.padding,
    [dh, dw] = g.dilation;
  const [xs0, xs1, xs2, xs3] = x.strides as [number, number, number, number];
  const [os0, os1, os2, os3] = out.strides as [number, number, number, number];
  const [ws0, ws1, ws2] = w.strides as [number, number, number];
  const xd = x.data,
    od = out.data,
    wd = w.data;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < Cout; o++) {
      const x0 = x.offset + n * xs0 + Math.floor(o / m) * xs1;
      const o0 = out.offset + n * os0 + o * os1;
      for (let y = 0; y < oh; y++) for (let c = 0; c < ow; c++) od[o0 + y * os2 + c * os3] = 0;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const wv = wd[w.offset + o * ws0 + i * ws1 + j * ws2]!;
          // Output columns whose input column lies inside the image.
          const a = pw - j * dw;
          const b = W - 1 + pw - j * dw;
          const lo = a <= 0 ? 0 : Math.ceil(a / sw);
          const hi = b < 0 ? 0 : Math.min(ow, Math.floor(b / sw) + 1);
          for (let y = 0; y < oh; y++) {
            const row = y * sh - ph + i * dh;
            if (row < 0 || row >= H) continue;
            const xr = x0 + row * xs2;
            const or = o0 + y * os2;
            for (let c = lo; c < hi; c++) {
              const k = or + c * os3;
              od[k] = od[k]! + wv * xd[xr + (c * sw - a) * xs3]!;
            }
          }
        }
      }
    }
  }
}
