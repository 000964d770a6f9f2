import type { View } from '../backend.js';

// Fused layer norm of the JS backend (the reference for the native one): rows of [R, D] views
// with unit inner stride; mean and rstd are [R].

export function layerNorm(
  x: View,
  weight: View | null,
  bias: View | null,
  eps: number,
  out: View,
  mean: View,
  rstd: View,
): void {
  const [R, D] = x.shape as [number, number];
  const xd = x.data,
    od = out.data;
  for (let r = 0; r < R; r++) {
    const x0 = x.offset + r * x.strides[0]!,
      o0 = out.offset + r * out.strides[0]!;
    let m = 0;
    for (let j = 0; j < D; j++) m += xd[x0 + j]!;
    m /= D;
    let v = 0;
    for (let j = 0; j < D; j++) {
      const c = xd[x0 + j]! - m;
      v += c * c;
    }
    const rs = 1 / Math.sqrt(v / D + eps);
    mean.data[mean.offset + r * (mean.strides[0] ?? 1)] = m;
    rstd.data[rstd.offset + r * (rstd.strides[0] ?? 1)] = rs;
    for (let j = 0; j < D; j++) {
      let y = (xd[x0 + j]! - m) * rs;
      if (weight) y *= weight.data[weight.offset + j * weight.strides[0]!]!;
      if (bias) y += bias.data[bias.offset + j * bias.strides[0]!]!;
      od[o0 + j] = y;
    }
  }
}

export function layerNormBackward(
  g: View,
  x: View,
  mean: View,
  rstd: View,
  weight: View | null,
  dx: View,
  dWeight: View | null,
  dBias: View | null,
): void {
  const [R, D] = x.shape as [number, number];
  const gd = g.data,
    xd = x.data,
    dd = dx.data;
  const dw = dWeight ? new Float64Array(D) : null,
    db = dBias ? new Float64Array(D) : null;
  for (let r = 0; r < R; r++) {
    const g0 = g.offset + r * g.strides[0]!,
      x0 = x.offset + r * x.strides[0]!,
      d0 = dx.offset + r * dx.strides[0]!;
    const m = mean.data[mean.offset + r * (mean.strides[0] ?? 1)]!,
      rs = rstd.data[rstd.offset + r * (rstd.strides[0] ?? 1)]!;
    // dxhat = g·w; dx = rstd·(dxhat - mean(dxhat) - xhat·mean(dxhat·xhat))
    let sumD = 0,
      sumDX = 0;
    for (let j = 0; j < D; j++) {
      const xh = (xd[x0 + j]! - m) * rs;
      const gv = gd[g0 + j]!;
      const dh = weight ? gv * weight.data[weight.offset + j * weight.strides[0]!]! : gv;
      sumD += dh;
      sumDX += dh * xh;
      if (dw) dw[j]! += gv * xh;
      if (db) db[j]! += gv;
    }
    sumD /= D;
    sumDX /= D;
    for (let j = 0; j < D; j++) {
      const xh = (xd[x0 + j]! - m) * rs;
      const gv = gd[g0 + j]!;
      const dh = weight ? gv * weight.data[weight.offset + j * weight.strides[0]!]! : gv;
      dd[d0 + j] = rs * (dh - sumD - xh * sumDX);
    }
  }
  if (dw && dWeight) for (let j = 0; j < D; j++) dWeight.data[dWeight.offset + j * dWeight.strides[0]!] = dw[j]!;
  if (db && dBias) for (let j = 0; j < D; j++) dBias.data[dBias.offset + j * dBias.strides[0]!] = db[j]!;
}
