// The WGSL of the WebGPU backend's fused normalisation and pooling kernels, the rules of the JS
// backend's (src/backend/js/batch-norm.ts, layer-norm.ts, pool.ts). Normalisation works on groups of
// `count` values: a channel's N·S values for batch norm, a row's D values for layer norm. One
// workgroup of 64 handles a group: sums by tree reduction in workgroup memory, then the writes.
//
// p: [groups, count, inner, outer stride, group stride, x offset, out offset, flags, eps bits,
//     mean, variance, rstd offsets, weight offset, bias offset, g offset, dx offset,
//     dWeight offset (−1: none), dBias offset (−1: none)]
// The element k of group c is at offset + (k / inner)·outerStride + c·groupStride + k % inner:
// batch norm [N, C, S]: inner S, outer stride C·S, group stride S; layer norm [R, D]: inner D,
// outer stride 0, group stride D. flags: 1 weight, 2 bias, 4 weight and bias run along the group
// (layer norm: index k) rather than one per group (batch norm: index c).
export const NORM_PARAMS = 18;

const GROUPS = /* wgsl */ `
@group(0) @binding(7) var<storage, read> p: array<i32>;
var<workgroup> part: array<f32, 64>;

fn at(c: i32, k: i32) -> i32 { return (k / p[2]) * p[3] + c * p[4] + k % p[2]; }

fn total(v: f32, lx: u32) -> f32 {
  part[lx] = v;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s = s >> 1u) {
    if (lx < s) { part[lx] = part[lx] + part[lx + s]; }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}

fn group_id(w: vec3<u32>, nwg: vec3<u32>) -> i32 { return i32(w.x + w.y * nwg.x); }
`;

/** Normalises each group: writes its mean, biased variance and rstd, and out = (x − mean)·rstd·w + b. */
export const NORM_FORWARD = /* wgsl */ `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> variance: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;
${GROUPS}
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = group_id(w, nwg);
  if (c >= p[0]) { return; }
  let n = p[1];
  var s = 0.0;
  for (var k = i32(l.x); k < n; k += 64) { s += x[p[5] + at(c, k)]; }
  let m = total(s, l.x) / f32(n);
  var q = 0.0;
  for (var k = i32(l.x); k < n; k += 64) { let d = x[p[5] + at(c, k)] - m; q += d * d; }
  let v = total(q, l.x) / f32(n);
  let rs = 1.0 / sqrt(v + bitcast<f32>(p[8]));
  if (l.x == 0u) { mean[p[9] + c] = m; variance[p[10] + c] = v; rstd[p[11] + c] = rs; }
  for (var k = i32(l.x); k < n; k += 64) {
    let j = select(c, k, (p[7] & 4) != 0);
    var y = (x[p[5] + at(c, k)] - m) * rs;
    if ((p[7] & 1) != 0) { y *= weight[p[12] + j]; }
    if ((p[7] & 2) != 0) { y += bias[p[13] + j]; }
    out[p[6] + at(c, k)] = y;
  }
}
`;

/** dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with dx̂ = g·w, per group. */
export const NORM_BACKWARD = /* wgsl */ `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(6) var<storage, read> rstd: array<f32>;
${GROUPS}
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = group_id(w, nwg);
  if (c >= p[0]) { return; }
  let n = p[1];
  let m = mean[p[9] + c];
  let rs = rstd[p[11] + c];
  let along = (p[7] & 4) != 0;
  var sd = 0.0; var sdx = 0.0;
  for (var k = i32(l.x); k < n; k += 64) {
    let o = at(c, k);
    var wk = 1.0;
    if ((p[7] & 1) != 0) { wk = weight[p[12] + select(c, k, along)]; }
    let d = g[p[14] + o] * wk;
    sd += d; sdx += d * (x[p[5] + o] - m) * rs;
  }
  let md = total(sd, l.x) / f32(n);
  let mdx = total(sdx, l.x) / f32(n);
  for (var k = i32(l.x); k < n; k += 64) {
    let o = at(c, k);
    let xh = (x[p[5] + o] - m) * rs;
    var wk = 1.0;
    if ((p[7] & 1) != 0) { wk = weight[p[12] + select(c, k, along)]; }
    dx[p[15] + o] = rs * (g[p[14] + o] * wk - md - xh * mdx);
  }
}
`;

/** Batch norm's dWeight = Σ g·x̂ and dBias = Σ g of each channel (group), one workgroup per channel. */
export const BATCH_NORM_PARAMS_BACKWARD = /* wgsl */ `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(6) var<storage, read> rstd: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbias: array<f32>;
${GROUPS}
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = group_id(w, nwg);
  if (c >= p[0]) { return; }
  let m = mean[p[9] + c];
  let rs = rstd[p[11] + c];
  var sg = 0.0; var sgx = 0.0;
  for (var k = i32(l.x); k < p[1]; k += 64) {
    let o = at(c, k);
    let gv = g[p[14] + o];
    sg += gv; sgx += gv * (x[p[5] + o] - m) * rs;
  }
  let tg = total(sg, l.x);
  let tgx = total(sgx, l.x);
  if (l.x == 0u) {
    if (p[16] >= 0) { dweight[p[16] + c] = tgx; }
    if (p[17] >= 0) { dbias[p[17] + c] = tg; }
  }
}
`;

/**
 * Layer norm's dWeight and dBias: column sums over the rows, one invocation per column.
 * p: [R, D, g offset, x offset, mean offset, rstd offset, dWeight offset (−1), dBias offset (−1)]
 */
export const LAYER_NORM_PARAMS_BACKWARD = /* wgsl */ `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(6) var<storage, read> rstd: array<f32>;
@group(0) @binding(7) var<storage, read> p: array<i32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = i32(gid.x);
  if (j >= p[1]) { return; }
  var sw = 0.0; var sb = 0.0;
  for (var r = 0; r < p[0]; r++) {
    let gv = g[p[2] + r * p[1] + j];
    sw += gv * (x[p[3] + r * p[1] + j] - mean[p[4] + r]) * rstd[p[5] + r];
    sb += gv;
  }
  if (p[6] >= 0) { dweight[p[6] + j] = sw; }
  if (p[7] >= 0) { dbias[p[7] + j] = sb; }
}
`;

/**
 * Max pooling, one invocation per output: the first maximum of its window (a NaN wins), and its
 * flat index row·W + col in the input plane; padding is never chosen.
 * p: [N, C, H, W, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, x strides × 4, x offset, out offset, idx offset]
 */
export const MAX_POOL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;
@group(0) @binding(7) var<storage, read> p: array<i32>;
fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= p[0] * p[1] * p[4] * p[5]) { return; }
  let o = i;
  let xo = i % p[5]; i = i / p[5];
  let yo = i % p[4]; i = i / p[4];
  let c = i % p[1];
  let n = i / p[1];
  let base = p[18] + n * p[14] + c * p[15];
  var best = 0.0;
  var bestIdx = -1;
  for (var a = 0; a < p[6]; a++) {
    let row = yo * p[8] - p[10] + a * p[12];
    if (row < 0 || row >= p[2]) { continue; }
    for (var b = 0; b < p[7]; b++) {
      let col = xo * p[9] - p[11] + b * p[13];
      if (col < 0 || col >= p[3]) { continue; }
      let v = x[base + row * p[16] + col * p[17]];
      if (bestIdx < 0 || v > best || (is_nan(v) && !is_nan(best))) { best = v; bestIdx = row * p[3] + col; }
    }
  }
  out[p[19] + o] = best;
  indices[p[20] + o] = bestIdx;
}
`;
