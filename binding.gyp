{
  "targets": [
    {
      "target_name": "axon",
      "sources": [
        "native/src/node_addon.cc",
        "native/src/malloc_tuning.cc",
        "native/src/bindings.cc",
        "native/src/binding.cc",
        "native/src/threadpool.cc",
        "native/src/gemm.cc",
        "native/src/gemm_bf16.cc",
        "native/src/elementwise.cc",
        "native/src/window.cc",
        "native/src/conv.cc",
        "native/src/conv_columns.cc",
        "native/src/conv_direct.cc",
        "native/src/vmath.cc",
        "native/src/peak.cc",
        "native/src/indexing.cc",
        "native/src/lstm.cc",
        "native/src/layer_norm.cc",
        "native/src/batch_norm.cc",
        "native/src/optim.cc"
      ],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-fno-math-errno", "-fopenmp-simd", "-Wall", "-Wno-unused-function"],
      "cflags_cc!": ["-fno-rtti"],
      "ldflags": ["-pthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
