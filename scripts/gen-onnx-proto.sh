#!/usr/bin/env bash
# Regenerates src/onnx/proto/onnx_pb.ts from the official onnx.proto (ONNX repository, commit
# f7546912001bc31e92a238b17068a21b373d882e, the commit the conformance cases come from; Apache-2.0).
# Needs protoc (Debian: apt-get install protobuf-compiler) and the devDependency @bufbuild/protoc-gen-es.
# The generated file is committed: neither CI nor users run this.
set -euo pipefail
cd "$(dirname "$0")/.."
protoc --plugin=protoc-gen-es="$PWD/node_modules/.bin/protoc-gen-es" \
  --es_out=src/onnx/proto --es_opt=target=ts,import_extension=js \
  --proto_path=src/onnx/proto onnx.proto
# The generated file needs no lint exemption: drop the one protoc-gen-es writes.
sed -i 's#^/\* eslint-disable \*/$##' src/onnx/proto/onnx_pb.ts
npx prettier --write src/onnx/proto/onnx_pb.ts >/dev/null
