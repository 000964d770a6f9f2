// TFRecord framing, the container of TensorBoard's event files: each record is
//   uint64 length · uint32 masked CRC-32C of the length bytes · data · uint32 masked CRC-32C of data
// (little-endian), where mask(c) = ((c >>> 15) | (c << 17)) + 0xa282ead8.
import crc32c from 'crc-32/crc32c.js';

export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c.buf(bytes) >>> 0;
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** One record around `data`. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}
