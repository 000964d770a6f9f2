// 16-bit floats as stored by files (NumPy's float16, ONNX's FLOAT16 and BFLOAT16): read as numbers.

/** IEEE 754 half precision bits → number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const bf16 = new DataView(new ArrayBuffer(4));

/** bfloat16 bits (the top half of a float32) → number. */
export function bfloat16ToNumber(h: number): number {
  bf16.setUint32(0, (h & 0xffff) << 16);
  return bf16.getFloat32(0);
}
