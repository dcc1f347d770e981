// float32 products written for the shapes training runs, instead of OpenBLAS (blas.cc decides
// which to call). Two layouts:
//   nt: c (m,n) = alpha a b^T + beta c, a (m,k), b (n,k): the forward product S = X W^T, k = 3072.
//       With AVX-512 and m >= 64 (a batch, an evaluation chunk) b is packed into 16-row panels and
//       c is a sum of outer products, which runs at ~1.5x the dot products (bench/profileGroup);
//       an evaluation holds b (held_operand.h), so its chunks pack the weights once. Otherwise
//       every c[i][j] is a dot product of two rows that are contiguous in memory;
//   tn: c (m,n) = alpha a^T b + beta c, a (k,m), b (k,n): a sum of k outer products of a row of
//       a and a row of b (the weight gradient G^T X, k = batch size).
// Each has an AVX-512 and an AVX2+FMA microkernel, chosen at run time by the CPU's features;
// without either the caller keeps OpenBLAS. The work is split into tasks (row blocks for nt,
// column blocks for tn) run on pool.h's threads; a task's arithmetic is fixed, so the result is
// the same bits whatever the thread count or the order the tasks ran in.
#pragma once

#include <cstdint>

namespace kernels {
namespace sgemm {

enum class Isa { kNone = 0, kAvx2 = 1, kAvx512 = 2 };

// The best microkernels this CPU (and OS) can run.
Isa detectedIsa();
const char* isaName(Isa isa);

// The kernels the products use: kNone sends every product to OpenBLAS. Defaults to
// detectedIsa() (TRAINYARD_SGEMM=openblas|avx2|avx512 overrides); setIsa refuses an ISA the
// CPU lacks and returns the one in effect. Only the products that gain from the own kernels use
// them, unless allShapes is set (tests and benchmarks of the kernels themselves): nt with k >= 256
// and tn with n >= 512, both with m n k >= 2^18 (the first layer's and evaluation's products); and
// with AVX-512 also nt with m >= 64 and tn, from m n k >= 2^14 (the hidden layers'). OpenBLAS's
// small-matrix kernels are faster below.
Isa isa();
Isa setIsa(Isa want, bool allShapes = false);

// Returns false (and does nothing) when the product should go to OpenBLAS instead.
bool nt(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
        float beta, float* c, int64_t ldc);
bool tn(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
        float beta, float* c, int64_t ldc);

}  // namespace sgemm
}  // namespace kernels
