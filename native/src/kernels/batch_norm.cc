// Batch normalisation over the rows of a mini-batch: training forward pass, inference, backward pass.
#include <cmath>
#include <vector>

#include "kernels.h"

namespace kernels {
namespace {

// Per-column 1 / sqrt(var + eps), once per call (as the TypeScript oracle does); a scratch buffer
// per thread, grown only when a layer is wider than any before.
template <typename T>
const double* columnInverseStd(int64_t n, const T* var, double eps) {
  thread_local std::vector<double> inv;
  if (static_cast<int64_t>(inv.size()) < n) inv.resize(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; j++) inv[j] = 1.0 / std::sqrt(static_cast<double>(var[j]) + eps);
  return inv.data();
}

}  // namespace

// s is (m,n), gamma/beta are (n); writes mean/var (n), the column statistics of s, then
// shat = (s - mean) / sqrt(var + eps) and out = gamma * shat + beta, both (m,n).
template <typename T>
HOT_KERNEL
void batchNormForward(int64_t m, int64_t n, const T* s, const T* gamma, const T* beta, double eps, T* mean, T* var,
                      T* shat, T* out) {
  const double dm = static_cast<double>(m);
  for (int64_t j = 0; j < n; j++) {
    mean[j] = 0;
    var[j] = 0;
  }
  for (int64_t i = 0; i < m; i++) {
    const T* row = s + i * n;
    for (int64_t j = 0; j < n; j++) mean[j] = static_cast<T>(static_cast<double>(mean[j]) + static_cast<double>(row[j]));
  }
  for (int64_t j = 0; j < n; j++) mean[j] = static_cast<T>(static_cast<double>(mean[j]) / dm);
  // Two passes (deviations from the rounded mean) as in the oracle, not sum of squares minus mean squared.
  for (int64_t i = 0; i < m; i++) {
    const T* row = s + i * n;
    for (int64_t j = 0; j < n; j++) {
      const double d = static_cast<double>(row[j]) - static_cast<double>(mean[j]);
      var[j] = static_cast<T>(static_cast<double>(var[j]) + d * d);
    }
  }
  for (int64_t j = 0; j < n; j++) var[j] = static_cast<T>(static_cast<double>(var[j]) / dm);
  // out uses the unrounded h, like the oracle. Two single-store loops vectorise (one loop with
  // two stores needs more run-time alias checks than gcc allows); they recompute h, so they are
  // only used when neither output overlaps s.
  const double* inv = columnInverseStd(n, var, eps);
  const T* sEnd = s + m * n;
  const bool inPlace = (shat < sEnd && s < shat + m * n) || (out < sEnd && s < out + m * n);
  for (int64_t i = 0; i < m; i++) {
    const T* row = s + i * n;
    T* hrow = shat + i * n;
    T* orow = out + i * n;
    if (inPlace) {
      for (int64_t j = 0; j < n; j++) {
        const double h = (static_cast<double>(row[j]) - static_cast<double>(mean[j])) * inv[j];
        hrow[j] = static_cast<T>(h);
        orow[j] = static_cast<T>(static_cast<double>(gamma[j]) * h + static_cast<double>(beta[j]));
      }
      continue;
    }
    for (int64_t j = 0; j < n; j++) {
      const double h = (static_cast<double>(row[j]) - static_cast<double>(mean[j])) * inv[j];
      orow[j] = static_cast<T>(static_cast<double>(gamma[j]) * h + static_cast<double>(beta[j]));
    }
    for (int64_t j = 0; j < n; j++) {
      hrow[j] = static_cast<T>((static_cast<double>(row[j]) - static_cast<double>(mean[j])) * inv[j]);
    }
  }
}

// s is (m,n), mean/var/gamma/beta are (n), out is (m,n): out = gamma * (s - mean) / sqrt(var + eps) + beta.
template <typename T>
HOT_KERNEL
void batchNormInference(int64_t m, int64_t n, const T* s, const T* mean, const T* var, const T* gamma, const T* beta,
                        double eps, T* out) {
  const double* inv = columnInverseStd(n, var, eps);
  for (int64_t i = 0; i < m; i++) {
    const int64_t o = i * n;
    for (int64_t j = 0; j < n; j++) {
      // gamma * (s - mean) * inv in the oracle's order, not gamma * inv folded first.
      out[o + j] = static_cast<T>(static_cast<double>(gamma[j]) * (static_cast<double>(s[o + j]) - static_cast<double>(mean[j])) * inv[j] +
                                  static_cast<double>(beta[j]));
    }
  }
}

// g, shat and gIn are (m,n), var/gamma/dgamma/dbeta are (n). g is dL/dout; writes
// dbeta = column sums of g, dgamma = column sums of g * shat and
// gIn = dL/ds = gamma / sqrt(var + eps) * (g - dbeta / m - shat * dgamma / m).
template <typename T>
HOT_KERNEL
void batchNormBackward(int64_t m, int64_t n, const T* g, const T* shat, const T* var, const T* gamma, double eps,
                       T* dgamma, T* dbeta, T* gIn) {
  const double dm = static_cast<double>(m);
  for (int64_t j = 0; j < n; j++) {
    dgamma[j] = 0;
    dbeta[j] = 0;
  }
  for (int64_t i = 0; i < m; i++) {
    const int64_t o = i * n;
    for (int64_t j = 0; j < n; j++) {
      dbeta[j] = static_cast<T>(static_cast<double>(dbeta[j]) + static_cast<double>(g[o + j]));
      dgamma[j] = static_cast<T>(static_cast<double>(dgamma[j]) + static_cast<double>(g[o + j]) * static_cast<double>(shat[o + j]));
    }
  }
  const double* inv = columnInverseStd(n, var, eps);
  for (int64_t i = 0; i < m; i++) {
    const int64_t o = i * n;
    for (int64_t j = 0; j < n; j++) {
      // The oracle divides dbeta and dgamma by m on every element (not a hoisted 1 / m), so do we.
      gIn[o + j] = static_cast<T>(static_cast<double>(gamma[j]) * inv[j] * (static_cast<double>(g[o + j]) - static_cast<double>(dbeta[j]) / dm -
                                           (static_cast<double>(shat[o + j]) * static_cast<double>(dgamma[j])) / dm));
    }
  }
}

template void batchNormForward<float>(int64_t, int64_t, const float*, const float*, const float*, double, float*, float*,
                                      float*, float*);
template void batchNormForward<double>(int64_t, int64_t, const double*, const double*, const double*, double, double*,
                                       double*, double*, double*);
template void batchNormInference<float>(int64_t, int64_t, const float*, const float*, const float*, const float*,
                                        const float*, double, float*);
template void batchNormInference<double>(int64_t, int64_t, const double*, const double*, const double*, const double*,
                                         const double*, double, double*);
template void batchNormBackward<float>(int64_t, int64_t, const float*, const float*, const float*, const float*, double,
                                       float*, float*, float*);
template void batchNormBackward<double>(int64_t, int64_t, const double*, const double*, const double*, const double*,
                                        double, double*, double*, double*);

}  // namespace kernels
