// Mini-batch assembly: gathers the chosen images and standardises each feature.
#include "kernels.h"
#include "thread_pool.h"

namespace kernels {
namespace {

// Rows [i0, i1) of out.
template <typename T>
HOT_KERNEL
void gatherRows(int64_t i0, int64_t i1, int64_t d, const uint8_t* src, const int32_t* rows, const T* mean,
                const T* invStd, T* out) {
  // Arithmetic in T (float32 for float32 runs): within 1 ulp of the oracle's double arithmetic and
  // twice as fast. The next image is prefetched: rows are random, so each starts with a cache miss.
  for (int64_t i = i0; i < i1; i++) {
    if (i + 1 < i1) {
      const uint8_t* next = src + static_cast<int64_t>(rows[i + 1]) * d;
      for (int64_t j = 0; j < d; j += 64) __builtin_prefetch(next + j);
    }
    const uint8_t* sr = src + static_cast<int64_t>(rows[i]) * d;
    T* o = out + i * d;
    for (int64_t j = 0; j < d; j++) o[j] = (static_cast<T>(sr[j]) - mean[j]) * invStd[j];
  }
}

template <typename T>
struct GatherJob {
  int64_t m, d;
  const uint8_t* src;
  const int32_t* rows;
  const T* mean;
  const T* invStd;
  T* out;
};

// Rows per task: small enough that two threads share a batch of 100 evenly, large enough that
// the prefetch of each next row has a row's work to hide behind.
constexpr int64_t kRowsPerTask = 10;

template <typename T>
void gatherTask(const void* ctx, int64_t t) {
  const GatherJob<T>& g = *static_cast<const GatherJob<T>*>(ctx);
  const int64_t i0 = t * kRowsPerTask, i1 = g.m - i0 < kRowsPerTask ? g.m : i0 + kRowsPerTask;
  gatherRows(i0, i1, g.d, g.src, g.rows, g.mean, g.invStd, g.out);
}

}  // namespace

// src is (images,d) bytes, rows is (m) image indices, mean/invStd are (d), out is (m,d):
// out[i][j] = (src[rows[i]][j] - mean[j]) * invStd[j]. Each row is computed the same way whichever
// thread takes it (pool.h), so the result does not depend on the thread count.
template <typename T>
void gatherNormalize(int64_t m, int64_t d, const uint8_t* src, const int32_t* rows, const T* mean, const T* invStd,
                     T* out) {
  const GatherJob<T> job{m, d, src, rows, mean, invStd, out};
  const bool large = m * d >= (1 << 16);
  pool::run((m + kRowsPerTask - 1) / kRowsPerTask, gatherTask<T>, &job, large ? 0 : 1);
}

template void gatherNormalize<float>(int64_t, int64_t, const uint8_t*, const int32_t*, const float*, const float*, float*);
template void gatherNormalize<double>(int64_t, int64_t, const uint8_t*, const int32_t*, const double*, const double*,
                                      double*);

}  // namespace kernels
