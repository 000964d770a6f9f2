{
  "targets": [
    {
      "target_name": "axon_mpi",
      "sources": ["../addon.cc", "../comm_group.cc", "../mpi_group.cc"],
      "cflags_cc": ["-O2", "-std=c++17", "-fexceptions", "-Wall", "<!@(mpicxx --showme:compile)"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "libraries": ["<!@(mpicxx --showme:link)", "-ldl", "-lpthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
