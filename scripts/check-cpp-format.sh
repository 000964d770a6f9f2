#!/usr/bin/env bash
# Fails when a C++ file under native/ is not formatted as .clang-format says (fix: npm run format).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format > /dev/null; then
  if [ -n "${CI:-}" ]; then echo "check-cpp-format: clang-format is missing (.ci/run installs it)" >&2; exit 1; fi
  echo "check-cpp-format: clang-format not installed (apt-get install clang-format); C++ format not checked" >&2
  exit 0
fi
clang-format --dry-run -Werror native/src/*.cc native/src/*.h native/bench/*.cc native/distributed/*.cc native/distributed/*.h
echo "check-cpp-format: native/ is formatted"
