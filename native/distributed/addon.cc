// N-API bindings of a process group (the same for the Gloo and the MPI addon): every argument is checked here, and
// every failure is a thrown Error naming the binding and the argument, never a crash.
#include <node_api.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "comm_group.h"

namespace {

using axon_dist::Collective;
using axon_dist::CommGroup;
using axon_dist::ElementType;
using axon_dist::Reduction;
using axon_dist::Work;

struct GroupBox {
  std::shared_ptr<CommGroup> group;
};

// A collective in flight: holds the arrays it reads and writes until it is done and waited for.
struct WorkBox {
  std::shared_ptr<Work> work;
  std::shared_ptr<CommGroup> group;
  napi_ref arrays[2] = {nullptr, nullptr};
};

struct ArgError {
  std::string message;
};

napi_value throwError(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t expected, const char* fn) {
  size_t argc = 8;
  std::vector<napi_value> argv(8);
  napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr);
  if (argc != expected)
    throw ArgError{std::string(fn) + ": expected " + std::to_string(expected) + " arguments, got " +
                   std::to_string(argc)};
  argv.resize(argc);
  return argv;
}

int32_t intArg(napi_env env, napi_value v, const char* fn, const char* name) {
  int32_t out = 0;
  if (napi_get_value_int32(env, v, &out) != napi_ok)
    throw ArgError{std::string(fn) + ": " + name + " must be a number"};
  return out;
}

std::string stringArg(napi_env env, napi_value v, const char* fn, const char* name) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok)
    throw ArgError{std::string(fn) + ": " + name + " must be a string"};
  std::string out(len, '\0');
  napi_get_value_string_utf8(env, v, out.data(), len + 1, &len);
  return out;
}

template <typename Box>
Box* externalArg(napi_env env, napi_value v, const char* fn, const char* name) {
  void* data = nullptr;
  napi_valuetype type;
  napi_typeof(env, v, &type);
  if (type != napi_external || napi_get_value_external(env, v, &data) != napi_ok || data == nullptr)
    throw ArgError{std::string(fn) + ": " + name + " must be a handle made by this addon"};
  return static_cast<Box*>(data);
}

struct ArrayView {
  void* data = nullptr;
  size_t length = 0;
  ElementType type = ElementType::Float32;
};

ArrayView typedArrayArg(napi_env env, napi_value v, const char* fn, const char* name) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) throw ArgError{std::string(fn) + ": " + name + " must be a Float32Array, Float64Array or Int32Array"};
  napi_typedarray_type kind;
  ArrayView view;
  napi_get_typedarray_info(env, v, &kind, &view.length, &view.data, nullptr, nullptr);
  if (kind == napi_float32_array)
    view.type = ElementType::Float32;
  else if (kind == napi_float64_array)
    view.type = ElementType::Float64;
  else if (kind == napi_int32_array)
    view.type = ElementType::Int32;
  else
    throw ArgError{std::string(fn) + ": " + name + " must be a Float32Array, Float64Array or Int32Array"};
  return view;
}

napi_value CreateGroup(napi_env env, napi_callback_info info) {
  try {
    auto argv = args(env, info, 6, "createGroup");
    axon_dist::GroupOptions o;
    o.rank = intArg(env, argv[0], "createGroup", "rank");
    o.size = intArg(env, argv[1], "createGroup", "worldSize");
    o.masterAddr = stringArg(env, argv[2], "createGroup", "masterAddr");
    o.masterPort = intArg(env, argv[3], "createGroup", "masterPort");
    o.timeout = std::chrono::milliseconds(intArg(env, argv[4], "createGroup", "timeoutMs"));
    o.hostname = stringArg(env, argv[5], "createGroup", "hostname");
    if (o.size < 1 || o.rank < 0 || o.rank >= o.size)
      throw ArgError{"createGroup: rank " + std::to_string(o.rank) + " is not in [0, " + std::to_string(o.size) + ")"};
    if (o.masterPort < 0 || o.masterPort > 65535)
      throw ArgError{"createGroup: masterPort " + std::to_string(o.masterPort) + " is not in [0, 65535]"};
    if (o.timeout.count() <= 0) throw ArgError{"createGroup: timeoutMs must be positive"};
    auto box = new GroupBox{axon_dist::makeGroup(o)};
    napi_value out;
    napi_create_external(
        env, box, [](napi_env, void* data, void*) { delete static_cast<GroupBox*>(data); }, nullptr, &out);
    return out;
  } catch (const ArgError& e) {
    return throwError(env, e.message);
  } catch (const std::exception& e) {
    return throwError(env, std::string("createGroup: ") + e.what());
  }
}

napi_value StorePort(napi_env env, napi_callback_info info) {
  try {
    auto argv = args(env, info, 1, "storePort");
    auto box = externalArg<GroupBox>(env, argv[0], "storePort", "group");
    napi_value out;
    napi_create_int32(env, box->group->storePort(), &out);
    return out;
  } catch (const ArgError& e) {
    return throwError(env, e.message);
  }
}

Collective collectiveArg(const std::string& kind) {
  if (kind == "allReduce") return Collective::AllReduce;
  if (kind == "broadcast") return Collective::Broadcast;
  if (kind == "allGather") return Collective::AllGather;
  if (kind == "barrier") return Collective::Barrier;
  throw ArgError{"enqueue: unknown collective '" + kind + "'"};
}

Reduction reductionArg(const std::string& op) {
  if (op == "sum") return Reduction::Sum;
  if (op == "max") return Reduction::Max;
  if (op == "min") return Reduction::Min;
  if (op == "product") return Reduction::Product;
  throw ArgError{"enqueue: unknown reduction '" + op + "'"};
}

// enqueue(group, collective, name, data | null, out | null, reduction, root) → work handle
napi_value Enqueue(napi_env env, napi_callback_info info) {
  try {
    size_t argc = 7;
    napi_value argv[7];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc != 7) throw ArgError{"enqueue: expected 7 arguments, got " + std::to_string(argc)};
    auto group = externalArg<GroupBox>(env, argv[0], "enqueue", "group")->group;
    auto work = std::make_shared<Work>();
    work->collective = collectiveArg(stringArg(env, argv[1], "enqueue", "collective"));
    work->name = stringArg(env, argv[2], "enqueue", "name");
    work->reduction = reductionArg(stringArg(env, argv[5], "enqueue", "reduction"));
    work->root = intArg(env, argv[6], "enqueue", "root");
    if (work->root < 0 || work->root >= group->size())
      throw ArgError{work->name + ": root " + std::to_string(work->root) + " is not a rank of a group of " +
                     std::to_string(group->size())};
    auto box = std::make_unique<WorkBox>();
    if (work->collective != Collective::Barrier) {
      ArrayView data = typedArrayArg(env, argv[3], work->name.c_str(), "data");
      work->data = data.data;
      work->count = data.length;
      work->type = data.type;
      napi_create_reference(env, argv[3], 1, &box->arrays[0]);
      if (work->collective == Collective::AllGather) {
        ArrayView out = typedArrayArg(env, argv[4], work->name.c_str(), "out");
        if (out.type != data.type || out.length != data.length * static_cast<size_t>(group->size()))
          throw ArgError{work->name + ": the output must have the input's type and " + std::to_string(group->size()) +
                         " × " + std::to_string(data.length) + " elements, got " + std::to_string(out.length)};
        work->out = out.data;
        napi_create_reference(env, argv[4], 1, &box->arrays[1]);
      }
    }
    box->work = work;
    box->group = group;
    group->enqueue(work);
    napi_value out;
    napi_create_external(
        env, box.release(),
        [](napi_env env, void* data, void*) {
          auto* b = static_cast<WorkBox*>(data);
          // The arrays are still referenced here, so alive; a collective stuck in the library keeps them for good.
          if (!b->group->wait(b->work)) return;
          for (napi_ref r : b->arrays)
            if (r) napi_delete_reference(env, r);
          delete b;
        },
        nullptr, &out);
    return out;
  } catch (const ArgError& e) {
    return throwError(env, e.message);
  }
}

// wait(work): blocks until the collective is done; throws its error.
napi_value Wait(napi_env env, napi_callback_info info) {
  try {
    auto argv = args(env, info, 1, "wait");
    auto box = externalArg<WorkBox>(env, argv[0], "wait", "work");
    // Not finished long after the timeout: the library may still write into the arrays, so they stay referenced.
    if (!box->group->wait(box->work)) return throwError(env, box->group->failure());
    for (napi_ref& r : box->arrays)
      if (r) {
        napi_delete_reference(env, r);
        r = nullptr;
      }
    if (!box->work->error.empty()) return throwError(env, box->work->error);
    return nullptr;
  } catch (const ArgError& e) {
    return throwError(env, e.message);
  }
}

napi_value IsCompleted(napi_env env, napi_callback_info info) {
  try {
    auto argv = args(env, info, 1, "isCompleted");
    auto box = externalArg<WorkBox>(env, argv[0], "isCompleted", "work");
    napi_value out;
    napi_get_boolean(env, box->work->done, &out);  // read without the lock: a stale false is harmless
    return out;
  } catch (const ArgError& e) {
    return throwError(env, e.message);
  }
}

napi_value Destroy(napi_env env, napi_callback_info info) {
  try {
    auto argv = args(env, info, 1, "destroy");
    externalArg<GroupBox>(env, argv[0], "destroy", "group")->group->shutdown();
    return nullptr;
  } catch (const ArgError& e) {
    return throwError(env, e.message);
  }
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"createGroup", nullptr, CreateGroup, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"storePort", nullptr, StorePort, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"enqueue", nullptr, Enqueue, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"wait", nullptr, Wait, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isCompleted", nullptr, IsCompleted, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"destroy", nullptr, Destroy, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
