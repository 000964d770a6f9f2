#!/usr/bin/env bash
# Runs the native test suite (the fuzzers included) on an AddressSanitizer + UBSan build of the
# addon. Any sanitizer report ends the process with a non-zero status, which fails the test file
# and so this script. Needs g++ and its libasan/libubsan (Debian's gcc ships them).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build-asan.mjs
ASAN_LIB="$(g++ -print-file-name=libasan.so)"
UBSAN_LIB="$(g++ -print-file-name=libubsan.so)"
# Node itself leaks by design at exit (detect_leaks=0); everything else stops at the first report.
export LD_PRELOAD="$ASAN_LIB:$UBSAN_LIB"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:exitcode=86:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export AXON_NATIVE_ADDON="$PWD/build/asan/axon.node"
export AXON_BACKEND=native
# Every array its own allocation (no small-array slabs), so an overrun reaches a red zone.
export AXON_SMALL_ARRAYS=0
if [ -f build/asan/axon_gloo.node ]; then export AXON_GLOO_ADDON="$PWD/build/asan/axon_gloo.node"; fi
if [ -f build/asan/axon_mpi.node ]; then export AXON_MPI_ADDON="$PWD/build/asan/axon_mpi.node"; fi
# The example tests train for minutes and add nothing the unit tests do not reach: skipped here.
node --import tsx --test $(find test -name '*.test.ts' ! -name 'examples*.test.ts' | sort)
