{
  # Built by native/build.mjs (npm install / npm run build:native); output:
  # native/build/Release/trainyard_native.node. findOpenblas.mjs locates OpenBLAS.
  "variables": {
    "openblas_include%": "<!(node findOpenblas.mjs include)",
    "openblas_libdir%": "<!(node findOpenblas.mjs libdir)"
  },
  "targets": [
    {
      "target_name": "trainyard_native",
      # src/args: argument reading; src/kernels: the kernels (no Node-API); src/bindings.cc: the exports.
      "sources": [
        "src/args.cc",
        "src/bindings.cc",
        "src/kernels/activation.cc",
        "src/kernels/batch_norm.cc",
        "src/kernels/bf16gemm.cc",
        "src/kernels/blas.cc",
        "src/kernels/gather_normalize.cc",
        "src/kernels/held_operand.cc",
        "src/kernels/rows.cc",
        "src/kernels/sgemm.cc",
        "src/kernels/sgd.cc",
        "src/kernels/softmax_cross_entropy.cc",
        "src/kernels/sum_squares.cc",
        "src/kernels/thread_pool.cc"
      ],
      "include_dirs": ["<(openblas_include)"],
      "defines": ["NAPI_VERSION=8"],
      # Portable flags only: no -march=native (the binary must run on any x86-64 CPU; OpenBLAS
      # picks its own kernels at run time) and no -ffast-math (keeps NaN/inf semantics and the
      # evaluation order of the TypeScript oracle). -fno-math-errno (sqrt need not set errno) and
      # -fno-trapping-math (FP exception flags are never read) change no value; they only let
      # gcc vectorise the sqrt and select loops.
      "cflags!": ["-O0", "-O1", "-O2"],
      "cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off", "-fvisibility=hidden"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"]
      },
      "ldflags": ["-pthread"],
      "libraries": [
        "-L<(openblas_libdir)",
        "-Wl,-rpath,<(openblas_libdir)",
        "-lopenblas"
      ]
    }
  ]
}
