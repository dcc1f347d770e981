// Row broadcast (a layer's bias into every row of its output) and column sums (the bias gradient).
#include <cstring>

#include "kernels.h"

namespace kernels {

// v is (n), out is (m,n): every row of out becomes a copy of v.
// memmove: v may lie inside out, which the oracle's TypedArray.set allows.
template <typename T>
void fillRows(int64_t m, int64_t n, const T* v, T* out) {
  for (int64_t i = 0; i < m; i++) std::memmove(out + i * n, v, static_cast<size_t>(n) * sizeof(T));
}

// g is (m,n), out is (n): out[j] = scale * sum over i of g[i][j].
template <typename T>
HOT_KERNEL
void colSum(int64_t m, int64_t n, const T* g, double scale, T* out) {
  // Accumulates in out and rounds on every add, as the oracle's `out[j] += g[o + j]` does.
  for (int64_t j = 0; j < n; j++) out[j] = 0;
  for (int64_t i = 0; i < m; i++) {
    const T* row = g + i * n;
    for (int64_t j = 0; j < n; j++) out[j] = static_cast<T>(static_cast<double>(out[j]) + static_cast<double>(row[j]));
  }
  for (int64_t j = 0; j < n; j++) out[j] = static_cast<T>(static_cast<double>(out[j]) * scale);
}

template void fillRows<float>(int64_t, int64_t, const float*, float*);
template void fillRows<double>(int64_t, int64_t, const double*, double*);
template void colSum<float>(int64_t, int64_t, const float*, double, float*);
template void colSum<double>(int64_t, int64_t, const double*, double, double*);

}  // namespace kernels
