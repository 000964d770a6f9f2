// The N-API face of the kernels: every binding of bindings.cc becomes a function of the module,
// its arguments read from N-API values (typed arrays zero-copy), a failed check thrown as the
// class setErrorClass registered (BackendError).
#include <node_api.h>

#include <string>

#include "bindings.h"
#include "elementwise.h"
#include "gemm.h"
#include "malloc_tuning.h"
#include "peak.h"
#include "threadpool.h"

namespace {

using namespace axon;

// At most this many arguments reach a binding (the widest takes 9).
constexpr size_t kMaxArgs = 12;

class NapiArgs final : public Args {
 public:
  NapiArgs(napi_env env, const napi_value* argv, size_t argc) : env_(env), argv_(argv), argc_(argc) {}
  size_t count() const override { return argc_; }
  bool typed_array(size_t i, ArrayType want, void** data, size_t* length) override {
    // One N-API call on the hot path: napi_get_typedarray_info fails for anything not a typed array.
    napi_typedarray_type type;
    if (napi_get_typedarray_info(env_, argv_[i], &type, length, data, nullptr, nullptr) != napi_ok) return false;
    switch (want) {
      case ArrayType::kFloat32:
        return type == napi_float32_array;
      case ArrayType::kInt32:
        return type == napi_int32_array;
      case ArrayType::kUint8:
        return type == napi_uint8_array;
      case ArrayType::kFloat64:
        return type == napi_float64_array;
    }
    return false;
  }
  bool is_null_or_undefined(size_t i) override {
    napi_valuetype t = napi_undefined;
    napi_typeof(env_, argv_[i], &t);
    return t == napi_null || t == napi_undefined;
  }
  bool number(size_t i, double* out) override { return napi_get_value_double(env_, argv_[i], out) == napi_ok; }
  bool boolean(size_t i, bool* out) override { return napi_get_value_bool(env_, argv_[i], out) == napi_ok; }
  bool string(size_t i, char* buf, size_t size) override {
    size_t len = 0;
    return napi_get_value_string_utf8(env_, argv_[i], buf, size, &len) == napi_ok;
  }

 private:
  napi_env env_;
  const napi_value* argv_;
  size_t argc_;
};

// The JS class (BackendError) thrown for a failed call; set once by setErrorClass.
napi_ref error_class = nullptr;

napi_value throw_failure(napi_env env, const char* kernel, const std::string& error) {
  const std::string message = std::string(kernel) + " (native): " + error;
  napi_value msg, err, ctor;
  napi_create_string_utf8(env, message.c_str(), message.size(), &msg);
  if (error_class && napi_get_reference_value(env, error_class, &ctor) == napi_ok && ctor &&
      napi_new_instance(env, ctor, 1, &msg, &err) == napi_ok) {
    napi_throw(env, err);
  } else {
    napi_throw_error(env, "AXON_NATIVE_ARGUMENT", message.c_str());
  }
  return nullptr;
}

napi_value undefined(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

napi_value string_array(napi_env env, const char* const* names, size_t n) {
  napi_value arr;
  napi_create_array_with_length(env, n, &arr);
  for (size_t i = 0; i < n; i++) {
    napi_value s;
    napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, arr, static_cast<uint32_t>(i), s);
  }
  return arr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, isa, threads, malloc;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, gemm_isa(), NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, num_threads(), &threads);
  napi_create_string_utf8(env, tune_malloc(), NAPI_AUTO_LENGTH, &malloc);
  napi_set_named_property(env, obj, "isa", isa);
  napi_set_named_property(env, obj, "threads", threads);
  napi_set_named_property(env, obj, "malloc", malloc);
  return obj;
}

// ops(): the op names of each kernel family, in op-code order (the single source of the codes).
napi_value Ops(napi_env env, napi_callback_info) {
  napi_value obj;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "unary", string_array(env, kUnaryNames, U_COUNT));
  napi_set_named_property(env, obj, "binary", string_array(env, kBinaryNames, B_COUNT));
  napi_set_named_property(env, obj, "reduce", string_array(env, kReduceNames, R_COUNT));
  napi_set_named_property(env, obj, "compare", string_array(env, kCompareNames, C_COUNT));
  return obj;
}

// setErrorClass(ctor): the class thrown for a rejected call (the TS layer passes BackendError).
napi_value SetErrorClass(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_valuetype t = napi_undefined;
  if (argc == 1) napi_typeof(env, argv[0], &t);
  if (t != napi_function) {
    napi_throw_type_error(env, nullptr, "setErrorClass (native): expected a class");
    return nullptr;
  }
  if (error_class) napi_delete_reference(env, error_class);
  napi_create_reference(env, argv[0], 1, &error_class);
  return undefined(env);
}

napi_value Peak(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  NapiArgs args(env, argv, argc > 1 ? 1 : argc);
  Call c(args, "peakGflops", 0, 1);
  double seconds = c.argc() > 0 ? c.number(0, "seconds") : 0.2;
  c.check(seconds >= 0 && seconds <= 60, "argument seconds must be in [0, 60]");
  if (!c.ok()) return throw_failure(env, "peakGflops", c.error());
  napi_value r;
  napi_create_double(env, fma_peak_gflops(seconds), &r);
  return r;
}

// Every binding: its Binding rides in the function's data pointer.
napi_value Dispatch(napi_env env, napi_callback_info info) {
  size_t argc = kMaxArgs;
  napi_value argv[kMaxArgs];
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, &data) != napi_ok || !data) return nullptr;
  const Binding& b = *static_cast<const Binding*>(data);
  NapiArgs args(env, argv, argc < kMaxArgs ? argc : kMaxArgs);
  Call c(args, b.name, b.min_args, b.max_args);
  if (c.ok()) b.run(c);
  if (!c.ok()) return throw_failure(env, b.name, c.error());
  napi_value t;
  napi_get_boolean(env, true, &t);
  return t;
}

napi_value Init(napi_env env, napi_value exports) {
  tune_malloc();  // before the first tensor
  const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"info", Info}, {"ops", Ops}, {"setErrorClass", SetErrorClass}, {"peakGflops", Peak}};
  for (const auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  for (size_t i = 0; i < kBindingCount; i++) {
    napi_value v;
    napi_create_function(env, kBindings[i].name, NAPI_AUTO_LENGTH, Dispatch, const_cast<Binding*>(&kBindings[i]), &v);
    napi_set_named_property(env, exports, kBindings[i].name, v);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
