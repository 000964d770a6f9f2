#include "binding.h"

#include <cmath>

#include "strided.h"

namespace axon {

namespace {

std::string num(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e18) return std::to_string(static_cast<long long>(v));
  return std::to_string(v);
}

}  // namespace

std::string shape_string(const std::vector<long>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// ---- Reader ----

long Reader::integer(const char* what) {
  return integer(what, -static_cast<long>(kMaxDescriptorInt), static_cast<long>(kMaxDescriptorInt));
}

long Reader::integer(const char* what, long lo, long hi) {
  if (!call_.ok()) return 0;
  if (i_ >= n_) {
    call_.fail(std::string(name_) + " has " + std::to_string(n_) + " values; " + what + " would be value " +
               std::to_string(i_));
    return 0;
  }
  const double v = d_[i_++];
  if (!(v == std::floor(v)) || v < static_cast<double>(lo) || v > static_cast<double>(hi)) {
    call_.fail(std::string(name_) + ": " + what + " must be an integer in [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "], got " + num(v));
    return 0;
  }
  return static_cast<long>(v);
}

double Reader::real(const char* what) {
  if (!call_.ok()) return 0;
  if (i_ >= n_) {
    call_.fail(std::string(name_) + " has " + std::to_string(n_) + " values; " + what + " would be value " +
               std::to_string(i_));
    return 0;
  }
  return d_[i_++];
}

std::vector<long> Reader::integers(long count, const char* what) {
  std::vector<long> v;
  if (!call_.ok() || count < 0) return v;
  v.reserve(count);
  for (long k = 0; k < count && call_.ok(); k++) v.push_back(integer(what));
  if (!call_.ok()) v.assign(count, 0);
  return v;
}

void Reader::finish() {
  if (call_.ok() && i_ != n_)
    call_.fail(std::string(name_) + " has " + std::to_string(n_) + " values, expected " + std::to_string(i_));
}

// ---- Call ----

Call::Call(Args& args, const char* kernel, size_t min_args, size_t max_args)
    : args_(args), kernel_(kernel), argc_(args.count()) {
  if (argc_ < min_args || argc_ > max_args)
    fail("expected " +
         (min_args == max_args ? std::to_string(min_args)
                               : std::to_string(min_args) + " to " + std::to_string(max_args)) +
         " arguments, got " + std::to_string(argc_));
}

void Call::fail(const std::string& message) {
  if (error_.empty()) error_ = message;
}

bool Call::check(bool condition, const std::string& message) {
  if (!condition) fail(message);
  return condition && ok();
}

bool Call::arg(size_t i, const char* name) {
  if (!ok()) return false;
  if (i >= argc_) {
    fail(std::string("argument ") + name + " (" + std::to_string(i) + ") is missing");
    return false;
  }
  return true;
}

template <typename T>
Buffer<T> Call::typed(size_t i, const char* name, ArrayType want, const char* type_name, bool optional) {
  Buffer<T> b;
  b.name = name;
  if (!arg(i, name)) return b;
  size_t len = 0;
  void* data = nullptr;
  if (args_.typed_array(i, want, &data, &len)) {
    b.p = static_cast<T*>(data);
    b.length = len;
    return b;
  }
  if (!(optional && args_.is_null_or_undefined(i))) fail(std::string("argument ") + name + " must be a " + type_name);
  return b;
}

Buffer<float> Call::floats(size_t i, const char* name) {
  return typed<float>(i, name, ArrayType::kFloat32, "Float32Array", false);
}
Buffer<float> Call::optional_floats(size_t i, const char* name) {
  return typed<float>(i, name, ArrayType::kFloat32, "Float32Array or null", true);
}
Buffer<int32_t> Call::ints(size_t i, const char* name) {
  return typed<int32_t>(i, name, ArrayType::kInt32, "Int32Array", false);
}
Buffer<uint8_t> Call::bytes(size_t i, const char* name) {
  return typed<uint8_t>(i, name, ArrayType::kUint8, "Uint8Array", false);
}

Reader Call::descriptor(size_t i, const char* name) {
  Buffer<double> b = typed<double>(i, name, ArrayType::kFloat64, "Float64Array", false);
  return Reader(*this, b.p, b.length, name);
}

double Call::number(size_t i, const char* name) {
  double d = 0;
  if (!arg(i, name)) return 0;
  if (!args_.number(i, &d)) fail(std::string("argument ") + name + " must be a number");
  return d;
}

long Call::integer(size_t i, const char* name, long lo, long hi) {
  const double d = number(i, name);
  if (!ok()) return 0;
  if (!(d == std::floor(d)) || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
    fail(std::string("argument ") + name + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
         "], got " + num(d));
    return 0;
  }
  return static_cast<long>(d);
}

bool Call::boolean(size_t i, const char* name) {
  bool b = false;
  if (!arg(i, name)) return false;
  if (!args_.boolean(i, &b)) fail(std::string("argument ") + name + " must be a boolean");
  return b;
}

void Call::string(size_t i, const char* name, char* buf, size_t size) {
  if (!arg(i, name)) return;
  if (!args_.string(i, buf, size)) fail(std::string("argument ") + name + " must be a string");
}

bool Call::fits_extent(const char* name, size_t length, const long* shape, size_t rank, const long* strides,
                       size_t n_strides, long offset, long extra_len, long extra_stride) {
  if (!ok()) return false;
  auto describe = [&]() {
    return "shape " + shape_string(std::vector<long>(shape, shape + rank)) + ", strides " +
           shape_string(std::vector<long>(strides, strides + n_strides)) + ", offset " + std::to_string(offset);
  };
  if (rank != n_strides) {
    fail(std::string(name) + ": " + std::to_string(rank) + " sizes but " + std::to_string(n_strides) + " strides");
    return false;
  }
  // __int128 holds any sum of products of two 2^53 values, so nothing here can overflow.
  __int128 lo = offset, hi = offset;
  for (size_t d = 0; d < rank; d++) {
    if (shape[d] < 0) {
      fail(std::string(name) + ": negative size in " + describe());
      return false;
    }
    if (shape[d] == 0) return true;  // an empty view touches nothing
    const __int128 span = static_cast<__int128>(shape[d] - 1) * strides[d];
    (span < 0 ? lo : hi) += span;
  }
  if (extra_len < 0) {
    fail(std::string(name) + ": negative axis length " + std::to_string(extra_len));
    return false;
  }
  if (extra_len == 0) return true;  // an empty gathered axis: nothing is read
  const __int128 span = static_cast<__int128>(extra_len - 1) * extra_stride;
  (span < 0 ? lo : hi) += span;
  if (lo < 0 || hi >= static_cast<__int128>(length)) {
    fail(std::string(name) + ": the view (" + describe() +
         (extra_len != 1 || extra_stride != 0
              ? ", axis " + std::to_string(extra_len) + " at stride " + std::to_string(extra_stride)
              : std::string()) +
         ") reaches elements " + num(static_cast<double>(lo)) + " to " + num(static_cast<double>(hi)) +
         " of a buffer of " + std::to_string(length));
    return false;
  }
  return true;
}

bool Call::indices_in_range(const Buffer<int32_t>& index, const std::vector<long>& shape,
                            const std::vector<long>& strides, long offset, long len) {
  if (!fits(index, shape, strides, offset)) return false;
  long bad_at = -1;
  int32_t bad = 0;
  for_each_row<1>(shape, {strides.data()}, {offset}, [&](std::array<long, 1> o, long n, std::array<long, 1> s) {
    if (bad_at >= 0) return;
    const int32_t* p = index.p + o[0];
    for (long i = 0; i < n; i++) {
      const int32_t v = p[i * s[0]];
      if (v < 0 || v >= len) {
        bad_at = o[0] + i * s[0];
        bad = v;
        return;
      }
    }
  });
  if (bad_at >= 0)
    fail(std::string(index.name) + ": index " + std::to_string(bad) + " is out of range for an axis of size " +
         std::to_string(len));
  return ok();
}

}  // namespace axon
