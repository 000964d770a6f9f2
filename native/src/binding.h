// The checked boundary between JavaScript and the kernels. Every binding reads its arguments
// through a Call, which verifies the argument count, each typed array's element type, each
// descriptor's length and values, and that every strided view a kernel will touch lies inside its
// buffer. The first failure is remembered and thrown as a BackendError naming the kernel and the
// argument; the kernel then does not run. The TypeScript layer checks the same things first, with
// friendlier messages: this is the defence behind it, so that no call can touch memory it does not own.
// A Call knows no host: its arguments come through Args, which node_addon.cc implements over N-API
// values and wasm_addon.cc over the table the WebAssembly glue writes.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace axon {

enum class ArrayType { kFloat32, kInt32, kUint8, kFloat64 };

// A call's arguments as JavaScript passed them. Each accessor answers false when argument i is not
// of the kind asked for (the Call then fails with the argument's name).
class Args {
 public:
  virtual ~Args() = default;
  virtual size_t count() const = 0;
  virtual bool typed_array(size_t i, ArrayType type, void** data, size_t* length) = 0;
  virtual bool is_null_or_undefined(size_t i) = 0;
  virtual bool number(size_t i, double* out) = 0;
  virtual bool boolean(size_t i, bool* out) = 0;
  // Copies at most size - 1 bytes and a NUL.
  virtual bool string(size_t i, char* buf, size_t size) = 0;
};

template <typename T>
struct Buffer {
  T* p = nullptr;
  size_t length = 0;  // in elements
  const char* name = "";
};

// Sizes, strides and offsets are exact integers in a double: at most 2^53 in magnitude, and at most
// what a long holds (2^31 - 1 on wasm32, where memory ends at 4 GiB anyway).
constexpr double kMaxDescriptorInt = sizeof(long) >= 8 ? 9007199254740992.0 : 2147483647.0;

class Call;

// Reads a Float64Array descriptor front to back; reading past its end, or a value that is not the
// kind asked for, fails the call (and yields 0 from then on).
class Reader {
 public:
  Reader(Call& call, const double* d, size_t n, const char* name) : call_(call), d_(d), n_(n), name_(name) {}
  long integer(const char* what);
  // An integer in [lo, hi].
  long integer(const char* what, long lo, long hi);
  double real(const char* what);
  std::vector<long> integers(long count, const char* what);
  size_t size() const { return n_; }
  // Fails the call unless every value was read.
  void finish();

 private:
  Call& call_;
  const double* d_;
  size_t n_;
  const char* name_;
  size_t i_ = 0;
};

// A strided view over a shared shape: offset and strides in elements.
struct ViewDesc {
  long offset;
  const std::vector<long>* strides;
};

class Call {
 public:
  Call(Args& args, const char* kernel, size_t min_args, size_t max_args);

  bool ok() const { return error_.empty(); }
  size_t argc() const { return argc_; }
  const char* kernel() const { return kernel_; }
  // Records the first failure; later ones are dropped.
  void fail(const std::string& message);
  // Fails with `message` unless `condition` holds.
  bool check(bool condition, const std::string& message);

  Buffer<float> floats(size_t i, const char* name);
  // A Float32Array, or an empty buffer (p == nullptr) for null/undefined.
  Buffer<float> optional_floats(size_t i, const char* name);
  Buffer<int32_t> ints(size_t i, const char* name);
  Buffer<uint8_t> bytes(size_t i, const char* name);
  Reader descriptor(size_t i, const char* name);
  double number(size_t i, const char* name);
  long integer(size_t i, const char* name, long lo, long hi);
  bool boolean(size_t i, const char* name);
  // Copies a string argument into buf (at most size - 1 bytes, NUL-terminated).
  void string(size_t i, const char* name, char* buf, size_t size);

  // Checks that the view (shape, strides, offset) lies inside `length` elements of `name`.
  template <typename T>
  bool fits(const Buffer<T>& b, const std::vector<long>& shape, const std::vector<long>& strides, long offset) {
    return fits_extent(b.name, b.length, shape.data(), shape.size(), strides.data(), strides.size(), offset, 1, 0);
  }
  // As fits, with an extra axis of `extra_len` elements at `extra_stride` (a gathered axis).
  template <typename T>
  bool fits(const Buffer<T>& b, const std::vector<long>& shape, const std::vector<long>& strides, long offset,
            long extra_len, long extra_stride) {
    return fits_extent(b.name, b.length, shape.data(), shape.size(), strides.data(), strides.size(), offset, extra_len,
                       extra_stride);
  }
  // A view given by brace lists (no allocation).
  template <typename T>
  bool fits(const Buffer<T>& b, std::initializer_list<long> shape, std::initializer_list<long> strides, long offset) {
    return fits_extent(b.name, b.length, shape.begin(), shape.size(), strides.begin(), strides.size(), offset, 1, 0);
  }
  // `count` contiguous elements from `offset`.
  template <typename T>
  bool fits_range(const Buffer<T>& b, long offset, long count) {
    return fits(b, {count}, {1}, offset);
  }
  // `rows` rows of `cols` contiguous elements, `row_stride` apart.
  template <typename T>
  bool fits_rows(const Buffer<T>& b, long offset, long rows, long row_stride, long cols) {
    return fits(b, {rows, cols}, {row_stride, 1}, offset);
  }
  // Checks that every index of the view lies in [0, len): indices are read by the kernel as
  // coordinates, so one out of range would address another element.
  bool indices_in_range(const Buffer<int32_t>& index, const std::vector<long>& shape, const std::vector<long>& strides,
                        long offset, long len);

  // The first failure ("" when none).
  const std::string& error() const { return error_; }

 private:
  bool arg(size_t i, const char* name);
  bool fits_extent(const char* name, size_t length, const long* shape, size_t rank, const long* strides,
                   size_t n_strides, long offset, long extra_len, long extra_stride);
  template <typename T>
  Buffer<T> typed(size_t i, const char* name, ArrayType want, const char* type_name, bool optional);

  Args& args_;
  const char* kernel_;
  size_t argc_ = 0;
  std::string error_;
};

std::string shape_string(const std::vector<long>& v);

}  // namespace axon
