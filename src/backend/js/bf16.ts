// bfloat16 rounding for ax.autocast('bfloat16') on backends without bf16 kernels: the operands of a
// product are rounded to the nearest bfloat16 (ties to even; NaN stays NaN), as native/src/gemm_bf16.cc
// does, and multiplied in float32.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds every element of `data` to the nearest bfloat16 value, in place. */
export function roundToBf16(data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    f32[0] = data[i]!;
    const u = u32[0]!;
    if ((u & 0x7fffffff) > 0x7f800000) continue; // NaN
    u32[0] = ((u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000) >>> 0;
    data[i] = f32[0]!;
  }
}
