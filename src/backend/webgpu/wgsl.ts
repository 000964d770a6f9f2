// The WGSL sources of the WebGPU kernels (kernels.ts). Views are strided as on the CPU backends:
// a shape, per-view strides and offsets in elements, read from an i32 parameter buffer, so that
// transposed, sliced and broadcast (stride 0) views run without a copy.

/** Largest rank the shaders take (higher ranks are collapsed or fall back). */
export const MAX_RANK = 6;

// p: [M, N, K, ars, acs, brs, bcs, ors, ocs, accumulate, then (aOff, bOff, oOff) per batch entry]
export const MATMUL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> p: array<i32>;

const T = 16;
var<workgroup> As: array<array<f32, 16>, 16>;
var<workgroup> Bs: array<array<f32, 16>, 16>;

// One 16×16 tile of C per workgroup: tiles of A and B go through workgroup memory, 16 columns of K
// at a time. workgroup_id.z is the batch entry.
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let M = p[0]; let N = p[1]; let K = p[2];
  let row = i32(w.y) * T + i32(l.y);
  let col = i32(w.x) * T + i32(l.x);
  let t = 10 + 3 * i32(w.z);
  let aOff = p[t]; let bOff = p[t + 1]; let oOff = p[t + 2];
  var acc = 0.0;
  for (var k0 = 0; k0 < K; k0 += T) {
    let ka = k0 + i32(l.x);
    let kb = k0 + i32(l.y);
    var av = 0.0;
    if (row < M && ka < K) { av = a[aOff + row * p[3] + ka * p[4]]; }
    As[l.y][l.x] = av;
    var bv = 0.0;
    if (kb < K && col < N) { bv = b[bOff + kb * p[5] + col * p[6]]; }
    Bs[l.y][l.x] = bv;
    workgroupBarrier();
    for (var k = 0; k < T; k++) { acc += As[l.y][k] * Bs[k][l.x]; }
    workgroupBarrier();
  }
  if (row < M && col < N) {
    let o = oOff + row * p[7] + col * p[8];
    if (p[9] != 0) { out[o] = out[o] + acc; } else { out[o] = acc; }
  }
}
`;

// A reduction over any set of dims: one workgroup of 64 per output element walks the reduced
// sub-space (the dims where out has size 1), then combines its partial results in a tree.
// p: [rank, outputs, m (elements reduced into each), x offset, out offset, 0, 0, 0, out shape × 6,
// x strides × 6, out strides × 6, reduced shape × 6 (1 on kept dims)]
export function reduceDimsShader(init: string, combine: string): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> p: array<i32>;
var<workgroup> part: array<f32, 64>;
fn combine(x: f32, y: f32) -> f32 { return ${combine}; }

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = i32(w.x + w.y * nwg.x);
  if (r >= p[1]) { return; }
  var rem = r;
  var xb = p[3];
  var ob = p[4];
  for (var d = p[0] - 1; d >= 0; d--) {
    let c = rem % p[8 + d];
    rem = rem / p[8 + d];
    xb += c * p[14 + d];
    ob += c * p[20 + d];
  }
  var acc = ${init};
  for (var j = i32(l.x); j < p[2]; j += 64) {
    var q = j;
    var xo = xb;
    for (var d = p[0] - 1; d >= 0; d--) {
      xo += (q % p[26 + d]) * p[14 + d];
      q = q / p[26 + d];
    }
    acc = combine(acc, a[xo]);
  }
  part[l.x] = acc;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s = s >> 1u) {
    if (l.x < s) { part[l.x] = combine(part[l.x], part[l.x + s]); }
    workgroupBarrier();
  }
  if (l.x == 0u) { out[ob] = part[0]; }
}
`;
}

/**
 * argmax / argmin along one axis: one invocation per output walks its row; the first extreme wins,
 * and a NaN wins over any number (as the JS backend and PyTorch).
 * p: [rank (kept dims), rows, len, step, x offset, out offset, 0, 0, kept shape × 6, x strides × 6, out strides × 6]
 */
export function argReduceShader(max: boolean): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
@group(0) @binding(3) var<storage, read> p: array<i32>;
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = i32(gid.x + gid.y * nwg.x * 256u);
  if (r >= p[1]) { return; }
  var rem = r;
  var xo = p[4];
  var oo = p[5];
  for (var d = p[0] - 1; d >= 0; d--) {
    let c = rem % p[8 + d];
    rem = rem / p[8 + d];
    xo += c * p[14 + d];
    oo += c * p[20 + d];
  }
  var best = a[xo];
  var bestIdx = 0;
  for (var j = 1; j < p[2] && !is_nan(best); j++) {
    let v = a[xo + j * p[3]];
    if (v ${max ? '>' : '<'} best || is_nan(v)) { best = v; bestIdx = j; }
  }
  out[oo] = bestIdx;
}
`;
}

// The same product for short sums: one invocation per output element, no workgroup memory.
export const MATMUL_SMALL_K = /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> p: array<i32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let M = p[0]; let N = p[1]; let K = p[2];
  let i = i32(gid.x);
  if (i >= M * N) { return; }
  let row = i / N;
  let col = i % N;
  let t = 10 + 3 * i32(w.z);
  var ia = p[t] + row * p[3];
  var ib = p[t + 1] + col * p[6];
  var acc = 0.0;
  for (var k = 0; k < K; k++) {
    acc += a[ia] * b[ib];
    ia += p[4];
    ib += p[5];
  }
  let o = p[t + 2] + row * p[7] + col * p[8];
  if (p[9] != 0) { out[o] = out[o] + acc; } else { out[o] = acc; }
}
`;

// Row kernels: one workgroup of 256 per output element. The input row is `len` elements at stride
// `step` from the offset that the row's coordinates (over the kept dims) give; out likewise.
// p: [rank, rows, shape × 6, x strides × 6, out strides × 6, unused × 6, xOff, outOff, unused, len, step]
const ROWS = /* wgsl */ `
@group(0) @binding(3) var<storage, read> p: array<i32>;
var<workgroup> part: array<f32, 256>;

fn row_start(r: i32) -> vec2<i32> {
  var rem = r;
  var at = vec2<i32>(p[26], p[27]);
  for (var d = p[0] - 1; d >= 0; d--) {
    let c = rem % p[2 + d];
    rem = rem / p[2 + d];
    at += c * vec2<i32>(p[8 + d], p[14 + d]);
  }
  return at;
}
`;

/** A reduction of each row: `combine` folds two partial results, `init` starts one. */
export function reduceShader(init: string, combine: string): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ROWS}
fn combine(x: f32, y: f32) -> f32 { return ${combine}; }

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = i32(w.x + w.y * nwg.x);
  if (r >= p[1]) { return; }
  let at = row_start(r);
  let len = p[29]; let step = p[30];
  var acc = ${init};
  for (var k = i32(l.x); k < len; k += 256) { acc = combine(acc, a[at.x + k * step]); }
  part[l.x] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (l.x < s) { part[l.x] = combine(part[l.x], part[l.x + s]); }
    workgroupBarrier();
  }
  if (l.x == 0u) { out[at.y] = part[0]; }
}
`;
}

/** softmax (log = false) or log-softmax of each row, in three passes over it: max, sum, write. */
export function softmaxShader(log: boolean): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ROWS}
fn reduce_max(v: f32, lx: u32) -> f32 {
  part[lx] = v;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lx < s) { part[lx] = max(part[lx], part[lx + s]); }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}
fn reduce_sum(v: f32, lx: u32) -> f32 {
  part[lx] = v;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lx < s) { part[lx] = part[lx] + part[lx + s]; }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // Every invocation of the workgroup reaches the barriers: rows past the end compute and drop.
  let r = i32(w.x + w.y * nwg.x);
  let live = r < p[1];
  let at = row_start(min(r, p[1] - 1));
  let len = p[29]; let step = p[30];
  var m = bitcast<f32>(0xff7fffffu); // -FLT_MAX
  for (var k = i32(l.x); k < len; k += 256) { m = max(m, a[at.x + k * step]); }
  m = reduce_max(m, l.x);
  var s = 0.0;
  for (var k = i32(l.x); k < len; k += 256) { s += exp(a[at.x + k * step] - m); }
  s = reduce_sum(s, l.x);
  if (!live) { return; }
  for (var k = i32(l.x); k < len; k += 256) {
    let v = a[at.x + k * step] - m;
    out[at.y + k * p[31]] = ${log ? 'v - log(s)' : 'exp(v) / s'};
  }
}
`;
}

// Window kernels. p: [N, C, kh, kw, sh, sw, ph, pw, dh, dw, H, W, oh, ow, image strides × 4,
// cols strides × 6, image offset, cols offset, pad value bits]
const WINDOW = /* wgsl */ `
@group(0) @binding(3) var<storage, read> p: array<i32>;

fn image_at(n: i32, c: i32, y: i32, x: i32) -> i32 {
  return p[24] + n * p[14] + c * p[15] + y * p[16] + x * p[17];
}
fn cols_at(n: i32, c: i32, ky: i32, kx: i32, oy: i32, ox: i32) -> i32 {
  return p[25] + n * p[18] + c * p[19] + ky * p[20] + kx * p[21] + oy * p[22] + ox * p[23];
}
`;

/** im2col: one invocation per element of cols [N, C, kh, kw, oh, ow]; outside the image: the pad value. */
export const IM2COL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> img: array<f32>;
@group(0) @binding(2) var<storage, read_write> cols: array<f32>;
${WINDOW}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var i = i32(gid.x + gid.y * nwg.x * 256u);
  let total = p[0] * p[1] * p[2] * p[3] * p[12] * p[13];
  if (i >= total) { return; }
  let ox = i % p[13]; i = i / p[13];
  let oy = i % p[12]; i = i / p[12];
  let kx = i % p[3]; i = i / p[3];
  let ky = i % p[2]; i = i / p[2];
  let c = i % p[1];
  let n = i / p[1];
  let y = oy * p[4] - p[6] + ky * p[8];
  let x = ox * p[5] - p[7] + kx * p[9];
  var v = bitcast<f32>(p[26]);
  if (y >= 0 && y < p[10] && x >= 0 && x < p[11]) { v = img[image_at(n, c, y, x)]; }
  cols[cols_at(n, c, ky, kx, oy, ox)] = v;
}
`;

/**
 * col2im, the adjoint: one invocation per image element, summing every window entry that maps to
 * it (a gather, so no two invocations write one element and no atomics are needed).
 */
export const COL2IM = /* wgsl */ `
@group(0) @binding(0) var<storage, read> cols: array<f32>;
@group(0) @binding(2) var<storage, read_write> img: array<f32>;
${WINDOW}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= p[0] * p[1] * p[10] * p[11]) { return; }
  let x = i % p[11]; i = i / p[11];
  let y = i % p[10]; i = i / p[10];
  let c = i % p[1];
  let n = i / p[1];
  var sum = 0.0;
  for (var ky = 0; ky < p[2]; ky++) {
    let ty = y + p[6] - ky * p[8];
    if (ty < 0 || ty % p[4] != 0 || ty / p[4] >= p[12]) { continue; }
    for (var kx = 0; kx < p[3]; kx++) {
      let tx = x + p[7] - kx * p[9];
      if (tx < 0 || tx % p[5] != 0 || tx / p[5] >= p[13]) { continue; }
      sum += cols[cols_at(n, c, ky, kx, ty / p[4], tx / p[5])];
    }
  }
  let at = image_at(n, c, y, x);
  img[at] = img[at] + sum;
}
`;

// Fused optimizer steps over n contiguous elements. Floats ride in the i32 parameter buffer as bits.
// Adam p: [n, pOff, gOff, mOff, vOff, vmaxOff, decoupled, lr, beta1, beta2, eps, weightDecay, 1 - beta1^t, sqrt(1 - beta2^t)]
export function adamShader(amsgrad: boolean): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read> p: array<i32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
${amsgrad ? '@group(0) @binding(5) var<storage, read_write> vmax: array<f32>;' : ''}
fn f(k: i32) -> f32 { return bitcast<f32>(p[k]); }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= p[0]) { return; }
  let lr = f(7); let b1 = f(8); let b2 = f(9); let eps = f(10); let wd = f(11);
  let pi = p[1] + i;
  var gi = grad[p[2] + i];
  if (wd != 0.0) {
    if (p[6] != 0) { param[pi] = param[pi] * (1.0 - lr * wd); } else { gi += wd * param[pi]; }
  }
  let mi = b1 * m[p[3] + i] + (1.0 - b1) * gi;
  let vi = b2 * v[p[4] + i] + (1.0 - b2) * gi * gi;
  m[p[3] + i] = mi;
  v[p[4] + i] = vi;
  var second = vi;
  ${amsgrad ? 'second = max(vmax[p[5] + i], vi);\n  vmax[p[5] + i] = second;' : ''}
  param[pi] = param[pi] - (lr / f(12)) * (mi / (sqrt(second) / f(13) + eps));
}
`;
}

// SGD p: [n, pOff, gOff, bufOff, nesterov, firstStep, lr, momentum, dampening, weightDecay]
export function sgdShader(momentum: boolean): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
${momentum ? '@group(0) @binding(2) var<storage, read_write> buf: array<f32>;' : ''}
@group(0) @binding(3) var<storage, read> p: array<i32>;
fn f(k: i32) -> f32 { return bitcast<f32>(p[k]); }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = i32(gid.x + gid.y * nwg.x * 256u);
  if (i >= p[0]) { return; }
  let pi = p[1] + i;
  var d = grad[p[2] + i];
  if (f(9) != 0.0) { d += f(9) * param[pi]; }
  ${
    momentum
      ? `var mo = d;
  if (p[5] == 0) { mo = f(7) * buf[p[3] + i] + (1.0 - f(8)) * d; }
  buf[p[3] + i] = mo;
  if (p[4] != 0) { d = d + f(7) * mo; } else { d = mo; }`
      : ''
  }
  param[pi] = param[pi] - f(6) * d;
}
`;
}
