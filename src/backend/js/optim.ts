import type { AdamStep, SgdStep, View } from '../backend.js';

// Fused optimizer steps of the JS backend (the reference for the native ones), on contiguous views.

export function sgdStep(param: View, grad: View, buffer: View | null, o: SgdStep): void {
  const p = param.data,
    g = grad.data,
    n = param.data.length === 0 ? 0 : size(param);
  const b = buffer?.data;
  const po = param.offset,
    go = grad.offset,
    bo = buffer?.offset ?? 0;
  for (let i = 0; i < n; i++) {
    let d = g[go + i]!;
    if (o.weightDecay !== 0) d += o.weightDecay * p[po + i]!;
    if (b && o.momentum !== 0) {
      const m = o.firstStep ? d : o.momentum * b[bo + i]! + (1 - o.dampening) * d;
      b[bo + i] = m;
      d = o.nesterov ? d + o.momentum * m : m;
    }
    p[po + i] = p[po + i]! - o.lr * d;
  }
}

export function adamStep(param: View, grad: View, m: View, v: View, vmax: View | null, o: AdamStep): void {
  const n = size(param);
  const p = param.data,
    g = grad.data,
    md = m.data,
    vd = v.data,
    xd = vmax?.data;
  const c1 = 1 - o.beta1 ** o.step,
    c2 = Math.sqrt(1 - o.beta2 ** o.step);
  const stepSize = o.lr / c1;
  for (let i = 0; i < n; i++) {
    const pi = param.offset + i;
    let gi = g[grad.offset + i]!;
    if (o.weightDecay !== 0) {
      if (o.decoupled) p[pi] = p[pi]! * (1 - o.lr * o.weightDecay);
      else gi += o.weightDecay * p[pi]!;
    }
    const mi = o.beta1 * md[m.offset + i]! + (1 - o.beta1) * gi;
    const vi = o.beta2 * vd[v.offset + i]! + (1 - o.beta2) * gi * gi;
    md[m.offset + i] = mi;
    vd[v.offset + i] = vi;
    let second = vd[v.offset + i]!;
    if (xd && vmax) {
      const x = Math.max(xd[vmax.offset + i]!, second);
      xd[vmax.offset + i] = x;
      second = x;
    }
    p[pi] = p[pi]! - stepSize * (md[m.offset + i]! / (Math.sqrt(second) / c2 + o.eps));
  }
}

function size(v: View): number {
  let n = 1;
  for (const s of v.shape) n *= s;
  return n;
}
