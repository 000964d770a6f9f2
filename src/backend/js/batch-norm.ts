import type { View } from '../backend.js';

// Fused batch norm of the JS backend (the reference for the native one) with batch statistics:
// x [N, C, S] contiguous; per channel c the N·S values x[n, c, :] are normalised together.

export function batchNorm(
  x: View,
  weight: View | null,
  bias: View | null,
  eps: number,
  out: View,
  mean: View,
  variance: View,
  rstd: View,
): void {
  const [N, C, S] = x.shape as [number, number, number];
  const xd = x.data,
    od = out.data,
    count = N * S;
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let n = 0; n < N; n++) {
      const b = x.offset + (n * C + c) * S;
      for (let s = 0; s < S; s++) m += xd[b + s]!;
    }
    m /= count;
    let v = 0;
    for (let n = 0; n < N; n++) {
      const b = x.offset + (n * C + c) * S;
      for (let s = 0; s < S; s++) {
        const d = xd[b + s]! - m;
        v += d * d;
      }
    }
    v /= count;
    const rs = 1 / Math.sqrt(v + eps);
    mean.data[mean.offset + c] = m;
    variance.data[variance.offset + c] = v;
    rstd.data[rstd.offset + c] = rs;
    const w = weight ? weight.data[weight.offset + c]! : 1,
      sh = bias ? bias.data[bias.offset + c]! : 0;
    const scale = rs * w,
      shift = sh - m * rs * w;
    for (let n = 0; n < N; n++) {
      const bx = x.offset + (n * C + c) * S,
        bo = out.offset + (n * C + c) * S;
      for (let s = 0; s < S; s++) od[bo + s] = xd[bx + s]! * scale + shift;
    }
  }
}

/** dx = rstd·w·(g - mean(g) - x̂·mean(g·x̂)) over each channel; dWeight = Σ g·x̂, dBias = Σ g. */
export function batchNormBackward(
  g: View,
  x: View,
  mean: View,
  rstd: View,
  weight: View | null,
  dx: View,
  dWeight: View | null,
  dBias: View | null,
): void {
  const [N, C, S] = x.shape as [number, number, number];
  const gd = g.data,
    xd = x.data,
    dd = dx.data,
    count = N * S;
  for (let c = 0; c < C; c++) {
    const m = mean.data[mean.offset + c]!,
      rs = rstd.data[rstd.offset + c]!;
    let sumG = 0,
      sumGX = 0;
    for (let n = 0; n < N; n++) {
      const bg = g.offset + (n * C + c) * S,
        bx = x.offset + (n * C + c) * S;
      for (let s = 0; s < S; s++) {
        const gv = gd[bg + s]!;
        sumG += gv;
        sumGX += gv * (xd[bx + s]! - m) * rs;
      }
    }
    if (dWeight) dWeight.data[dWeight.offset + c] = sumGX;
    if (dBias) dBias.data[dBias.offset + c] = sumG;
    const w = weight ? weight.data[weight.offset + c]! : 1;
    const mg = sumG / count,
      mgx = sumGX / count,
      k = rs * w;
    for (let n = 0; n < N; n++) {
      const bg = g.offset + (n * C + c) * S,
        bx = x.offset + (n * C + c) * S,
        bd = dx.offset + (n * C + c) * S;
      for (let s = 0; s < S; s++) dd[bd + s] = k * (gd[bg + s]! - mg - (xd[bx + s]! - m) * rs * mgx);
    }
  }
}
