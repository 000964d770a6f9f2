// The table of kernel bindings (bindings.cc), the same for every host: node_addon.cc makes each a
// JavaScript function through N-API, wasm_addon.cc calls one by its index.
#pragma once
#include <cstddef>
#include <string>

#include "binding.h"

namespace axon {

struct Binding {
  const char* name;
  size_t min_args;
  size_t max_args;
  // Reads its arguments through the Call and runs its kernel only if every check passed.
  void (*run)(Call&);
};

extern const Binding kBindings[];
extern const size_t kBindingCount;

// Runs binding b on args; false (with the failure in `error`) when a check failed.
inline bool run_binding(const Binding& b, Args& args, std::string* error) {
  Call c(args, b.name, b.min_args, b.max_args);
  if (c.ok()) b.run(c);
  if (c.ok()) return true;
  *error = c.error();
  return false;
}

}  // namespace axon
