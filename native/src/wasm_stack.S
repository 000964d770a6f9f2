# Sets this instance's stack pointer (a wasm global, one per instance): a worker of the threaded
# build runs on a stack the glue allocated for it. Assembly, because C code reads and writes the
# stack pointer in every prologue and so cannot set it itself.
  .globaltype __stack_pointer, i32

  .globl axon_set_stack_pointer
  .export_name axon_set_stack_pointer, axon_set_stack_pointer
  .type axon_set_stack_pointer,@function
axon_set_stack_pointer:
  .functype axon_set_stack_pointer (i32) -> ()
  local.get 0
  global.set __stack_pointer
  end_function
