// The kernels of the native backend: plain C++ on raw pointers, no Node-API. T is float or double
// (the element type of the Float32Array / Float64Array passed in); each .cc file instantiates its
// kernels for both. Matrices are row-major; shapes are written at each definition. Callers have
// checked every length, index and dimension (bindings.cc), so kernels check nothing.
//
// The kernels other than gemm follow src/core/kernels/tsKernels.ts (the oracle) on purpose: values
// are loaded, combined in double precision in the oracle's order (the TypeScript code computes in
// doubles and rounds on every store) and rounded once on the store. Built with -ffp-contract=off and
// without -ffast-math, so apart from gemm (OpenBLAS computes float32 in float32), sumSquares
// (partial sums) and exp/expm1 (glibc vs V8) the results are normally bit-identical to the oracle.
#pragma once

#include <cstdint>

// Elementwise kernels are compiled for AVX-512, AVX2 and baseline x86-64 and the loader picks the
// best the CPU has (GCC function multi-versioning): portable like -O3 alone, but the hot loops get
// the wide vectors -march=native would give. -ffp-contract=off keeps results identical across clones.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define HOT_KERNEL __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HOT_KERNEL
#endif

namespace kernels {

// The codes of ActivationCode in src/core/kernels/kernels.ts.
enum Activation { kRelu = 0, kLeakyRelu = 1, kElu = 2 };

// blas.cc: gemm (float32 nt / tn on sgemm.h's kernels, the rest on OpenBLAS), and the thread
// count of both (OpenBLAS's threads and pool.h's); initThreads starts the pool at OpenBLAS's
// default (all cores, or OPENBLAS_NUM_THREADS).
template <typename T>
void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, double alpha, const T* a, int64_t lda, const T* b,
          int64_t ldb, double beta, T* c, int64_t ldc);
void setBlasThreads(int n);
int blasThreads();
void initThreads();
struct BlasInfo {
  const char* config;  // openblas_get_config()
  const char* core;    // openblas_get_corename(): the kernel family picked for this CPU
  int threads;
  int procs;
  const char* sgemm;          // the kernels float32 nt / tn products use: avx512, avx2 or openblas
  const char* sgemmDetected;  // the best this CPU can run
};
BlasInfo blasInfo();

// rows.cc: a row broadcast into every row, and column sums.
template <typename T>
void fillRows(int64_t m, int64_t n, const T* v, T* out);
template <typename T>
void colSum(int64_t m, int64_t n, const T* g, double scale, T* out);

// batch_norm.cc
template <typename T>
void batchNormForward(int64_t m, int64_t n, const T* s, const T* gamma, const T* beta, double eps, T* mean, T* var,
                      T* shat, T* out);
template <typename T>
void batchNormInference(int64_t m, int64_t n, const T* s, const T* mean, const T* var, const T* gamma, const T* beta,
                        double eps, T* out);
template <typename T>
void batchNormBackward(int64_t m, int64_t n, const T* g, const T* shat, const T* var, const T* gamma, double eps,
                       T* dgamma, T* dbeta, T* gIn);

// activation.cc
template <typename T>
void activationForward(Activation kind, double alpha, int64_t len, const T* x, T* out);
template <typename T>
void activationBackward(Activation kind, double alpha, int64_t len, const T* x, const T* y, T* g);

// softmax_cross_entropy.cc; L (the label type) is uint8_t, uint16_t or int32_t.
template <typename T, typename L>
void softmaxCrossEntropy(int64_t m, int64_t k, const T* s, const L* labels, T* probs, T* grad, double gradScale,
                         double* result);

// sgd.cc
template <typename T>
void sgdStep(int64_t len, T* w, const T* g, T* v, double eta, double rho, double l2);

// sum_squares.cc
template <typename T>
double sumSquares(int64_t len, const T* w);

// gather_normalize.cc
template <typename T>
void gatherNormalize(int64_t m, int64_t d, const uint8_t* src, const int32_t* rows, const T* mean, const T* invStd,
                     T* out);

}  // namespace kernels
