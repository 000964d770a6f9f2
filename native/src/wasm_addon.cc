// The WebAssembly face of the kernels: the glue (src/backend/wasm/) copies each typed array into
// this module's memory, writes one WasmArg per argument, and calls axon_call with the binding's
// index. A failed check returns 0 and leaves its message for axon_error, which the glue throws as
// a BackendError; the kernel then has not run.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bindings.h"
#include "elementwise.h"
#include "gemm.h"
#include "threadpool.h"

#define AXON_EXPORT(name) extern "C" __attribute__((export_name(#name)))

namespace {

using namespace axon;

// Must match the layout src/backend/wasm/glue.ts writes (24 bytes per argument).
struct WasmArg {
  int32_t kind;     // ArgKind
  uint32_t ptr;     // typed arrays and strings: the bytes' address in this memory
  uint32_t length;  // elements (typed arrays) or bytes (strings)
  uint32_t pad;
  double number;  // numbers and booleans (0 / 1)
};
static_assert(sizeof(WasmArg) == 24, "WasmArg is 24 bytes");

enum ArgKind : int32_t {
  kUndefined = 0,
  kNull = 1,
  kNumber = 2,
  kBoolean = 3,
  kString = 4,
  kFloat32 = 5,
  kInt32 = 6,
  kUint8 = 7,
  kFloat64 = 8,
  kOther = 9,
};

class WasmArgs final : public Args {
 public:
  WasmArgs(const WasmArg* args, size_t argc) : args_(args), argc_(argc) {}
  size_t count() const override { return argc_; }
  bool typed_array(size_t i, ArrayType want, void** data, size_t* length) override {
    const int32_t kinds[] = {kFloat32, kInt32, kUint8, kFloat64};
    if (args_[i].kind != kinds[static_cast<int>(want)]) return false;
    *data = reinterpret_cast<void*>(static_cast<uintptr_t>(args_[i].ptr));
    *length = args_[i].length;
    return true;
  }
  bool is_null_or_undefined(size_t i) override { return args_[i].kind == kNull || args_[i].kind == kUndefined; }
  bool number(size_t i, double* out) override {
    if (args_[i].kind != kNumber) return false;
    *out = args_[i].number;
    return true;
  }
  bool boolean(size_t i, bool* out) override {
    if (args_[i].kind != kBoolean) return false;
    *out = args_[i].number != 0;
    return true;
  }
  bool string(size_t i, char* buf, size_t size) override {
    if (args_[i].kind != kString || size == 0) return false;
    const size_t n = args_[i].length < size - 1 ? args_[i].length : size - 1;
    std::memcpy(buf, reinterpret_cast<const char*>(static_cast<uintptr_t>(args_[i].ptr)), n);
    buf[n] = '\0';
    return true;
  }

 private:
  const WasmArg* args_;
  size_t argc_;
};

std::string g_error;

const char* const* family_names(int family, int* count) {
  switch (family) {
    case 0:
      *count = U_COUNT;
      return kUnaryNames;
    case 1:
      *count = B_COUNT;
      return kBinaryNames;
    case 2:
      *count = R_COUNT;
      return kReduceNames;
    case 3:
      *count = C_COUNT;
      return kCompareNames;
  }
  *count = 0;
  return nullptr;
}

}  // namespace

// Runs binding `index` on `argc` arguments at `args`: 1, or 0 with the failure in axon_error().
AXON_EXPORT(axon_call) int axon_call(int index, const WasmArg* args, int argc) {
  if (index < 0 || static_cast<size_t>(index) >= kBindingCount || argc < 0 || argc > 16) {
    g_error = "no binding " + std::to_string(index) + " with " + std::to_string(argc) + " arguments";
    return 0;
  }
  WasmArgs a(args, static_cast<size_t>(argc));
  return run_binding(kBindings[index], a, &g_error) ? 1 : 0;
}

AXON_EXPORT(axon_error) const char* axon_error() { return g_error.c_str(); }
AXON_EXPORT(axon_binding_count) int axon_binding_count() { return static_cast<int>(kBindingCount); }
AXON_EXPORT(axon_binding_name) const char* axon_binding_name(int i) {
  return i >= 0 && static_cast<size_t>(i) < kBindingCount ? kBindings[i].name : "";
}
// Op names of family 0 unary, 1 binary, 2 reduce, 3 compare, in op-code order ("" past the end).
AXON_EXPORT(axon_op_name) const char* axon_op_name(int family, int i) {
  int n = 0;
  const char* const* names = family_names(family, &n);
  return names && i >= 0 && i < n ? names[i] : "";
}
AXON_EXPORT(axon_isa) const char* axon_isa() { return gemm_isa(); }
AXON_EXPORT(axon_threads) int axon_threads() { return num_threads(); }
AXON_EXPORT(axon_alloc) void* axon_alloc(uint32_t bytes) { return std::aligned_alloc(16, (bytes + 15) & ~15u); }
AXON_EXPORT(axon_free) void axon_free(void* p) { std::free(p); }
// Tensors' arrays (src/backend/wasm/module-arrays.ts) start zeroed. Zeroed here: JS's fill() on a
// view of shared memory stores element by element (measured: 14 GB/s against 136 unshared).
AXON_EXPORT(axon_alloc_zeroed) void* axon_alloc_zeroed(uint32_t bytes) {
  void* p = axon_alloc(bytes);
  if (p) std::memset(p, 0, bytes);
  return p;
}

// thread_local objects (gemm's packing buffers) register their destructors here. This module has
// one thread, which never exits, so there is nothing to run; wasi-libc has no implementation.
extern "C" int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }
