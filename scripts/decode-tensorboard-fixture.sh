#!/usr/bin/env bash
# Decodes test/fixtures/tensorboard/events.bin record by record with protoc and the official
# tensorboard/compat/proto/event.proto of a TensorBoard checkout given as $1 (dev-only: Debian's
# protobuf-compiler). Output: test/fixtures/tensorboard/decoded.txt.
set -euo pipefail
checkout=${1:?usage: decode-tensorboard-fixture.sh /path/to/tensorboard-checkout}
here=$(cd "$(dirname "$0")/.." && pwd)
in=$here/test/fixtures/tensorboard/events.bin
out=$here/test/fixtures/tensorboard/decoded.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node -e '
const fs = require("fs"); const b = fs.readFileSync(process.argv[1]); let o = 0, i = 0;
while (o < b.length) { const n = Number(b.readBigUInt64LE(o)); fs.writeFileSync(`${process.argv[2]}/${i++}.bin`, b.subarray(o + 12, o + 12 + n)); o += 16 + n; }
' "$in" "$tmp"
: > "$out"
for f in $(ls "$tmp" | sort -n); do
  echo "# record ${f%.bin}" >> "$out"
  protoc -I"$checkout" --decode=tensorboard.Event tensorboard/compat/proto/event.proto < "$tmp/$f" >> "$out"
done
echo "wrote $out"
