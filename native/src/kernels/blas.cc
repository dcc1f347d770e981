// gemm: float32 nt and tn products on the own kernels (sgemm.h) when the CPU has them, everything
// else on OpenBLAS (cblas_sgemm / cblas_dgemm, row-major, leading dimensions as given); and the
// thread count both use. The only file that includes cblas.h.
#include <cblas.h>

#include <type_traits>

#include "kernels.h"
#include "sgemm.h"
#include "thread_pool.h"

namespace kernels {
namespace {

// The thread count set by setBlasThreads (the own kernels' pool uses it), and the one OpenBLAS
// has now, which is always 1: threaded OpenBLAS sums in another order than on one thread (dgemm
// 300x200x500: 7,858 of 60,000 results differ in their last bits), so a run's results would
// depend on how many threads the host gave it. Only the own kernels, whose bits do not depend on
// the thread count, run in parallel. One thread also keeps OpenBLAS's spinning workers off the
// core the pool's workers need.
int configuredThreads = 0;

void blasGemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k, double alpha, const float* a,
              blasint lda, const float* b, blasint ldb, double beta, float* c, blasint ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, static_cast<float>(alpha), a, lda, b, ldb, static_cast<float>(beta), c,
              ldc);
}

void blasGemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k, double alpha, const double* a,
              blasint lda, const double* b, blasint ldb, double beta, double* c, blasint ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace

// c = alpha * op(a) op(b) + beta * c. c is (m,n) with row stride ldc; a is (m,k), or (k,m) when
// transA, with row stride lda; b is (k,n), or (n,k) when transB, with row stride ldb.
template <typename T>
void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, double alpha, const T* a, int64_t lda, const T* b,
          int64_t ldb, double beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    // OpenBLAS is not called: gemmReference's formula (src/core/kernels/tsGemm.ts) with an empty
    // sum, so beta = 0 overwrites c without reading it.
    for (int64_t i = 0; i < m; i++) {
      T* row = c + i * ldc;
      for (int64_t j = 0; j < n; j++) {
        row[j] = static_cast<T>(alpha * 0.0 + (beta == 0 ? 0.0 : beta * static_cast<double>(row[j])));
      }
    }
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    const float fa = static_cast<float>(alpha), fb = static_cast<float>(beta);
    if (!transA && transB && sgemm::nt(m, n, k, fa, a, lda, b, ldb, fb, c, ldc)) return;
    if (transA && !transB && sgemm::tn(m, n, k, fa, a, lda, b, ldb, fb, c, ldc)) return;
  }
  blasGemm(transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n, (blasint)k,
           alpha, a, (blasint)lda, b, (blasint)ldb, beta, c, (blasint)ldc);
}

template void gemm<float>(bool, bool, int64_t, int64_t, int64_t, double, const float*, int64_t, const float*, int64_t,
                          double, float*, int64_t);
template void gemm<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t, const double*, int64_t,
                           double, double*, int64_t);

void setBlasThreads(int n) {
  configuredThreads = n;
  pool::setThreads(n);
}

int blasThreads() { return configuredThreads; }

void initThreads() {
  configuredThreads = openblas_get_num_threads();
  openblas_set_num_threads(1);
  pool::setThreads(configuredThreads);
}

BlasInfo blasInfo() {
  const char* config = openblas_get_config();
  const char* core = openblas_get_corename();
  return {config ? config : "OpenBLAS", core ? core : "unknown", configuredThreads, openblas_get_num_procs(),
          sgemm::isaName(sgemm::isa()), sgemm::isaName(sgemm::detectedIsa())};
}

}  // namespace kernels
