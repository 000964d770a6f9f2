#include "binding.h"

#include <cmath>

#include "strided.h"

namespace axon {

namespace {

napi_ref error_class = nullptr;

std::string num(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e18) return std::to_string(static_cast<long long>(v));
  return std::to_string(v);
}

}  // namespace

void set_error_class(napi_env env, napi_value ctor) {
  if (error_class) napi_delete_reference(env, error_class);
  napi_create_reference(env, ctor, 1, &error_class);
}

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

Call::Call(napi_env env, napi_callback_info info, const char* kernel, size_t min_args, size_t max_args)
    : env_(env), kernel_(kernel) {
  argc_ = 12;
  if (napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr) != napi_ok) {
    fail("could not read the arguments");
    argc_ = 0;
    return;
  }
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
Buffer<T> Call::typed(size_t i, const char* name, napi_typedarray_type want, const char* type_name, bool optional) {
  Buffer<T> b;
  b.name = name;
  if (!arg(i, name)) return b;
  // One N-API call on the hot path: napi_get_typedarray_info fails for anything not a typed array.
  napi_typedarray_type type;
  size_t len = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env_, argv_[i], &type, &len, &data, nullptr, nullptr) == napi_ok && type == want) {
    b.p = static_cast<T*>(data);
    b.length = len;
    return b;
  }
  napi_valuetype vt = napi_undefined;
  napi_typeof(env_, argv_[i], &vt);
  if (!(optional && (vt == napi_null || vt == napi_undefined)))
    fail(std::string("argument ") + name + " must be a " + type_name);
  return b;
}

Buffer<float> Call::floats(size_t i, const char* name) {
  return typed<float>(i, name, napi_float32_array, "Float32Array", false);
}
Buffer<float> Call::optional_floats(size_t i, const char* name) {
  return typed<float>(i, name, napi_float32_array, "Float32Array or null", true);
}
Buffer<int32_t> Call::ints(size_t i, const char* name) {
  return typed<int32_t>(i, name, napi_int32_array, "Int32Array", false);
}
Buffer<uint8_t> Call::bytes(size_t i, const char* name) {
  return typed<uint8_t>(i, name, napi_uint8_array, "Uint8Array", false);
}

Reader Call::descriptor(size_t i, const char* name) {
  Buffer<double> b = typed<double>(i, name, napi_float64_array, "Float64Array", false);
  return Reader(*this, b.p, b.length, name);
}

double Call::number(size_t i, const char* name) {
  double d = 0;
  if (!arg(i, name)) return 0;
  if (napi_get_value_double(env_, argv_[i], &d) != napi_ok) fail(std::string("argument ") + name + " must be a number");
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
  if (napi_get_value_bool(env_, argv_[i], &b) != napi_ok) fail(std::string("argument ") + name + " must be a boolean");
  return b;
}

void Call::string(size_t i, const char* name, char* buf, size_t size) {
  size_t len = 0;
  if (!arg(i, name)) return;
  if (napi_get_value_string_utf8(env_, argv_[i], buf, size, &len) != napi_ok)
    fail(std::string("argument ") + name + " must be a string");
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

napi_value Call::result() {
  if (ok()) {
    napi_value t;
    napi_get_boolean(env_, true, &t);
    return t;
  }
  const std::string message = std::string(kernel_) + " (native): " + error_;
  napi_value msg, err, ctor;
  napi_create_string_utf8(env_, message.c_str(), message.size(), &msg);
  if (error_class && napi_get_reference_value(env_, error_class, &ctor) == napi_ok && ctor &&
      napi_new_instance(env_, ctor, 1, &msg, &err) == napi_ok) {
    napi_throw(env_, err);
  } else {
    napi_throw_error(env_, "AXON_NATIVE_ARGUMENT", message.c_str());
  }
  return nullptr;
}

}  // namespace axon
