import { type SummaryValue, encodeEvent } from '../../src/train/tensorboard/event-proto.js';
import { frameRecord } from '../../src/train/tensorboard/records.js';

/** A fixed event file: the header, a scalar, a histogram and a 2×1 PNG image. */
export function fixtureEvents(): Uint8Array {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]); // the PNG signature only
  const events: { wallTime: number; step: number; fileVersion?: string; values?: SummaryValue[] }[] = [
    { wallTime: 1700000000.25, step: 0, fileVersion: 'brain.Event:2' },
    { wallTime: 1700000001.5, step: 3, values: [{ tag: 'epoch_loss', scalar: 0.25 }] },
    {
      wallTime: 1700000002,
      step: 4,
      values: [
        {
          tag: 'fc.weight',
          histogram: { min: -1, max: 3, num: 5, sum: 5, sumSquares: 15, bucketLimit: [1, 3], bucket: [2, 3] },
        },
      ],
    },
    {
      wallTime: 1700000003,
      step: 2 ** 40,
      values: [{ tag: 'sample', image: { height: 1, width: 2, colorspace: 4, png } }],
    },
  ];
  const records = events.map((e) => frameRecord(encodeEvent(e)));
  const out = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}
