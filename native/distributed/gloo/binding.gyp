{
  "targets": [
    {
      "target_name": "axon_gloo",
      "sources": ["../addon.cc", "../comm_group.cc", "../gloo_group.cc", "../store.cc"],
      "cflags_cc": ["-O2", "-std=c++17", "-fexceptions", "-Wall"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "libraries": ["-lgloo", "-lpthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
