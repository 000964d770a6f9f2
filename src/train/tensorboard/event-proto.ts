// The messages of TensorBoard's event files (tensorboard/compat/proto/event.proto, summary.proto,
// histogram.proto), encoded with @bufbuild/protobuf's wire writer. Only the fields Axon writes are
// here; their numbers are the official ones (file_version is field 3 of Event).
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export interface HistogramValue {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Right edge of each bucket (the first starts at −DBL_MAX). */
  bucketLimit: number[];
  bucket: number[];
}

export interface ImageValue {
  height: number;
  width: number;
  /** 1 grey, 3 RGB, 4 RGBA. */
  colorspace: number;
  png: Uint8Array;
}

export type SummaryValue =
  { tag: string; scalar: number } | { tag: string; histogram: HistogramValue } | { tag: string; image: ImageValue };

function writeHistogram(w: BinaryWriter, h: HistogramValue): void {
  w.tag(1, WireType.Bit64).double(h.min);
  w.tag(2, WireType.Bit64).double(h.max);
  w.tag(3, WireType.Bit64).double(h.num);
  w.tag(4, WireType.Bit64).double(h.sum);
  w.tag(5, WireType.Bit64).double(h.sumSquares);
  w.tag(6, WireType.LengthDelimited).fork();
  for (const v of h.bucketLimit) w.double(v);
  w.join();
  w.tag(7, WireType.LengthDelimited).fork();
  for (const v of h.bucket) w.double(v);
  w.join();
}

/** Event { wall_time = 1, step = 2, file_version = 3 | summary = 5 { value = 1 [...] } }. */
export function encodeEvent(e: {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values?: SummaryValue[];
}): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Bit64).double(e.wallTime);
  if (e.step !== 0) w.tag(2, WireType.Varint).int64(e.step);
  if (e.fileVersion !== undefined) w.tag(3, WireType.LengthDelimited).string(e.fileVersion);
  if (e.values) {
    w.tag(5, WireType.LengthDelimited).fork();
    for (const v of e.values) {
      w.tag(1, WireType.LengthDelimited).fork();
      w.tag(1, WireType.LengthDelimited).string(v.tag);
      if ('scalar' in v) w.tag(2, WireType.Bit32).float(v.scalar);
      else if ('histogram' in v) {
        w.tag(5, WireType.LengthDelimited).fork();
        writeHistogram(w, v.histogram);
        w.join();
      } else {
        w.tag(4, WireType.LengthDelimited).fork();
        w.tag(1, WireType.Varint).int32(v.image.height);
        w.tag(2, WireType.Varint).int32(v.image.width);
        w.tag(3, WireType.Varint).int32(v.image.colorspace);
        w.tag(4, WireType.LengthDelimited).bytes(v.image.png);
        w.join();
      }
      w.join();
    }
    w.join();
  }
  return w.finish();
}
