// Trainyard native kernels: the `Kernels` interface of src/core/kernels/kernels.ts on top of
// OpenBLAS, as a plain Node-API addon (no node-addon-api dependency).
//
// Semantics are those of src/core/kernels/tsKernels.ts (the oracle). The elementwise kernels
// follow the oracle's arithmetic on purpose: values are loaded from the Float32Array /
// Float64Array, combined in double precision in the same order as the TypeScript code (which
// computes in doubles and rounds on every store) and rounded once on the store. Built with
// -ffp-contract=off and without -ffast-math, so for everything except gemm (OpenBLAS computes
// float32 in float32), sumSquares (partial sums) and exp/expm1 (glibc vs V8) the results are
// normally bit-identical to the TypeScript backend.
//
// Every call validates its arguments before touching memory: numbers must be numbers,
// dimensions non-negative integers, arrays typed arrays of one precision and long enough for
// the dimensions given, indices (labels, rows) in range. Nothing is allocated per call.

#include <node_api.h>
#include <cblas.h>

#include <cmath>
#include <vector>
#include <cstdint>
#include <cstring>

#include "args.h"

// Elementwise kernels are compiled for AVX-512, AVX2 and baseline x86-64 and the loader picks the
// best the CPU has (GCC function multi-versioning): portable like -O3 alone, but the hot loops get
// the wide vectors -march=native would give. -ffp-contract=off keeps results identical across clones.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define HOT_KERNEL __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HOT_KERNEL
#endif

namespace {

using args::Arr;
using args::Call;
using args::kRangeError;
using args::kTypeError;
using args::typeName;

napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

napi_value number(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Kernels. T is float or double; arithmetic is in double like the TypeScript oracle.

template <typename T>
void fillRowsImpl(int64_t m, int64_t n, const T* v, T* out) {
  for (int64_t i = 0; i < m; i++) std::memmove(out + i * n, v, static_cast<size_t>(n) * sizeof(T));
}

template <typename T>
HOT_KERNEL
void colSumImpl(int64_t m, int64_t n, const T* g, double scale, T* out) {
  for (int64_t j = 0; j < n; j++) out[j] = 0;
  for (int64_t i = 0; i < m; i++) {
    const T* row = g + i * n;
    for (int64_t j = 0; j < n; j++) out[j] = static_cast<T>(static_cast<double>(out[j]) + static_cast<double>(row[j]));
  }
  for (int64_t j = 0; j < n; j++) out[j] = static_cast<T>(static_cast<double>(out[j]) * scale);
}

// Per-column 1 / sqrt(var + eps), once per call (as the TypeScript oracle does); a scratch buffer
// per thread, grown only when a layer is wider than any before.
template <typename T>
const double* columnInverseStd(int64_t n, const T* var, double eps) {
  thread_local std::vector<double> inv;
  if (static_cast<int64_t>(inv.size()) < n) inv.resize(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; j++) inv[j] = 1.0 / std::sqrt(static_cast<double>(var[j]) + eps);
  return inv.data();
}

template <typename T>
HOT_KERNEL
void bnForwardImpl(int64_t m, int64_t n, const T* s, const T* gamma, const T* beta, double eps, T* mean, T* var, T* shat,
                   T* out) {
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

template <typename T>
HOT_KERNEL
void bnInferenceImpl(int64_t m, int64_t n, const T* s, const T* mean, const T* var, const T* gamma, const T* beta, double eps,
                     T* out) {
  const double* inv = columnInverseStd(n, var, eps);
  for (int64_t i = 0; i < m; i++) {
    const int64_t o = i * n;
    for (int64_t j = 0; j < n; j++) {
      out[o + j] = static_cast<T>(static_cast<double>(gamma[j]) * (static_cast<double>(s[o + j]) - static_cast<double>(mean[j])) * inv[j] +
                                  static_cast<double>(beta[j]));
    }
  }
}

template <typename T>
HOT_KERNEL
void bnBackwardImpl(int64_t m, int64_t n, const T* g, const T* shat, const T* var, const T* gamma, double eps, T* dgamma,
                    T* dbeta, T* gIn) {
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
      gIn[o + j] = static_cast<T>(static_cast<double>(gamma[j]) * inv[j] * (static_cast<double>(g[o + j]) - static_cast<double>(dbeta[j]) / dm -
                                           (static_cast<double>(shat[o + j]) * static_cast<double>(dgamma[j])) / dm));
    }
  }
}

template <typename T>
HOT_KERNEL
void actForwardImpl(int kind, double alpha, int64_t len, const T* x, T* out) {
  if (kind == 0) {
    for (int64_t i = 0; i < len; i++) {
      const T v = x[i];
      out[i] = v > 0 ? v : T(0);
    }
  } else if (kind == 1) {
    for (int64_t i = 0; i < len; i++) {
      const T v = x[i];
      const T neg = static_cast<T>(alpha * static_cast<double>(v));  // unconditional: lets the loop vectorise
      out[i] = v > 0 ? v : neg;
    }
  } else {
    for (int64_t i = 0; i < len; i++) {
      const T v = x[i];
      out[i] = v > 0 ? v : static_cast<T>(alpha * std::expm1(static_cast<double>(v)));
    }
  }
}

template <typename T>
HOT_KERNEL
void actBackwardImpl(int kind, double alpha, int64_t len, const T* x, const T* y, T* g) {
  if (kind == 0) {
    for (int64_t i = 0; i < len; i++) g[i] = x[i] > 0 ? g[i] : T(0);
  } else if (kind == 1) {
    for (int64_t i = 0; i < len; i++) {
      const T gi = g[i];
      const T neg = static_cast<T>(static_cast<double>(gi) * alpha);
      g[i] = x[i] > 0 ? gi : neg;
    }
  } else {
    for (int64_t i = 0; i < len; i++) {
      const T gi = g[i];
      const T neg = static_cast<T>(static_cast<double>(gi) * (static_cast<double>(y[i]) + alpha));
      g[i] = x[i] > 0 ? gi : neg;
    }
  }
}

template <typename T, typename L>
void softmaxImpl(int64_t m, int64_t k, const T* s, const L* labels, T* probs, T* grad, double gradScale, double* result) {
  double loss = 0;
  double correct = 0;
  for (int64_t i = 0; i < m; i++) {
    const int64_t o = i * k;
    double max = static_cast<double>(s[o]);
    int64_t arg = 0;
    for (int64_t j = 1; j < k; j++) {
      const double v = static_cast<double>(s[o + j]);
      if (v > max) {
        max = v;
        arg = j;
      }
    }
    double sum = 0;
    for (int64_t j = 0; j < k; j++) {
      const double e = std::exp(static_cast<double>(s[o + j]) - max);
      probs[o + j] = static_cast<T>(e);
      sum += e;
    }
    const int64_t y = static_cast<int64_t>(labels[i]);
    loss += std::log(sum) - (static_cast<double>(s[o + y]) - max);
    if (arg == y) correct += 1;
    const double inv = 1 / sum;
    for (int64_t j = 0; j < k; j++) probs[o + j] = static_cast<T>(static_cast<double>(probs[o + j]) * inv);
    if (grad) {
      for (int64_t j = 0; j < k; j++) {
        grad[o + j] = static_cast<T>((static_cast<double>(probs[o + j]) - (j == y ? 1.0 : 0.0)) * gradScale);
      }
    }
  }
  result[0] = loss;
  result[1] = correct;
}

template <typename T>
HOT_KERNEL
void sgdImpl(int64_t len, T* w, const T* g, T* v, double eta, double rho, double l2) {
  if (v) {
    for (int64_t i = 0; i < len; i++) {
      const double wi = static_cast<double>(w[i]);
      const double vi = rho * static_cast<double>(v[i]) + static_cast<double>(g[i]) + l2 * wi;
      const T vs = static_cast<T>(vi);
      v[i] = vs;
      // The oracle reads v back after storing it (w -= eta * vi with vi a JS double, i.e. unrounded).
      w[i] = static_cast<T>(wi - eta * vi);
    }
  } else {
    for (int64_t i = 0; i < len; i++) {
      const double wi = static_cast<double>(w[i]);
      w[i] = static_cast<T>(wi - eta * (static_cast<double>(g[i]) + l2 * wi));
    }
  }
}

template <typename T>
HOT_KERNEL
double sumSquaresImpl(int64_t len, const T* w) {
  // Eight independent partial sums so the loop vectorises (the oracle sums sequentially).
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= len; i += 8) {
    for (int l = 0; l < 8; l++) {
      const double x = static_cast<double>(w[i + l]);
      acc[l] += x * x;
    }
  }
  double s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; i < len; i++) {
    const double x = static_cast<double>(w[i]);
    s += x * x;
  }
  return s;
}

template <typename T>
HOT_KERNEL
void gatherImpl(int64_t m, int64_t d, const uint8_t* src, const int32_t* rows, const T* mean, const T* invStd, T* out) {
  // Arithmetic in T (float32 for float32 runs): within 1 ulp of the oracle's double arithmetic and
  // twice as fast. The next image is prefetched: rows are random, so each starts with a cache miss.
  for (int64_t i = 0; i < m; i++) {
    if (i + 1 < m) {
      const uint8_t* next = src + static_cast<int64_t>(rows[i + 1]) * d;
      for (int64_t j = 0; j < d; j += 64) __builtin_prefetch(next + j);
    }
    const uint8_t* sr = src + static_cast<int64_t>(rows[i]) * d;
    T* o = out + i * d;
    for (int64_t j = 0; j < d; j++) o[j] = (static_cast<T>(sr[j]) - mean[j]) * invStd[j];
  }
}

// ---------------------------------------------------------------------------------------------
// Bindings.

int64_t need2d(int64_t rows, int64_t cols, int64_t ld) { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; }

bool overlaps(const Arr& x, int64_t nx, const Arr& y, int64_t ny, size_t elem) {
  if (nx == 0 || ny == 0) return false;
  const uintptr_t x0 = reinterpret_cast<uintptr_t>(x.data), y0 = reinterpret_cast<uintptr_t>(y.data);
  const uintptr_t x1 = x0 + static_cast<uintptr_t>(nx) * elem, y1 = y0 + static_cast<uintptr_t>(ny) * elem;
  return x0 < y1 && y0 < x1;
}

template <typename T>
void gemmKZero(int64_t m, int64_t n, double alpha, double beta, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; i++) {
    T* row = c + i * ldc;
    for (int64_t j = 0; j < n; j++) row[j] = static_cast<T>(alpha * 0.0 + (beta == 0 ? 0.0 : beta * static_cast<double>(row[j])));
  }
}

napi_value Gemm(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"transA", "transB", "m", "n", "k", "alpha", "a", "lda", "b", "ldb", "beta", "c", "ldc"};
  Call call(env, info, "gemm", names);
  if (!call.arity(13)) return nullptr;
  bool ta, tb;
  int64_t m, n, k, lda, ldb, ldc;
  double alpha, beta;
  Arr a, b, c;
  if (!call.boolean(0, &ta) || !call.boolean(1, &tb) || !call.dim(2, &m) || !call.dim(3, &n) || !call.dim(4, &k) ||
      !call.num(5, &alpha) || !call.vec(6, &a, nullptr) || !call.dim(7, &lda) || !call.vec(8, &b, &a) ||
      !call.dim(9, &ldb) || !call.num(10, &beta) || !call.vec(11, &c, &a) || !call.dim(12, &ldc)) {
    return nullptr;
  }
  // Stored shapes: a is m x k (k x m when transposed), b is k x n (n x k), c is m x n.
  const int64_t aRows = ta ? k : m, aCols = ta ? m : k;
  const int64_t bRows = tb ? n : k, bCols = tb ? k : n;
  if (aRows > 0 && aCols > 0 && lda < aCols) {
    call.throwError(kRangeError, "lda (%lld) must be at least the row width of a (%lld)", (long long)lda, (long long)aCols);
    return nullptr;
  }
  if (bRows > 0 && bCols > 0 && ldb < bCols) {
    call.throwError(kRangeError, "ldb (%lld) must be at least the row width of b (%lld)", (long long)ldb, (long long)bCols);
    return nullptr;
  }
  if (m > 0 && n > 0 && ldc < n) {
    call.throwError(kRangeError, "ldc (%lld) must be at least n (%lld)", (long long)ldc, (long long)n);
    return nullptr;
  }
  const bool useAB = m > 0 && n > 0 && k > 0;
  const int64_t needA = useAB ? need2d(aRows, aCols, lda) : 0;
  const int64_t needB = useAB ? need2d(bRows, bCols, ldb) : 0;
  const int64_t needC = need2d(m, n, ldc);
  if (!call.need(a, needA) || !call.need(b, needB) || !call.need(c, needC)) return nullptr;
  const size_t elem = a.isF32() ? sizeof(float) : sizeof(double);
  if (overlaps(c, needC, a, needA, elem) || overlaps(c, needC, b, needB, elem)) {
    call.throwError(kRangeError, "c must not overlap a or b");
    return nullptr;
  }
  if (m == 0 || n == 0) return undef(env);
  if (k == 0) {
    if (a.isF32()) {
      gemmKZero(m, n, alpha, beta, static_cast<float*>(c.data), ldc);
    } else {
      gemmKZero(m, n, alpha, beta, static_cast<double*>(c.data), ldc);
    }
    return undef(env);
  }
  const CBLAS_TRANSPOSE cta = ta ? CblasTrans : CblasNoTrans, ctb = tb ? CblasTrans : CblasNoTrans;
  if (a.isF32()) {
    cblas_sgemm(CblasRowMajor, cta, ctb, (blasint)m, (blasint)n, (blasint)k, static_cast<float>(alpha),
                static_cast<const float*>(a.data), (blasint)lda, static_cast<const float*>(b.data), (blasint)ldb,
                static_cast<float>(beta), static_cast<float*>(c.data), (blasint)ldc);
  } else {
    cblas_dgemm(CblasRowMajor, cta, ctb, (blasint)m, (blasint)n, (blasint)k, alpha, static_cast<const double*>(a.data),
                (blasint)lda, static_cast<const double*>(b.data), (blasint)ldb, beta, static_cast<double*>(c.data),
                (blasint)ldc);
  }
  return undef(env);
}

napi_value FillRows(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"m", "n", "v", "out"};
  Call call(env, info, "fillRows", names);
  int64_t m, n;
  Arr v, out;
  if (!call.arity(4) || !call.dim(0, &m) || !call.dim(1, &n) || !call.vec(2, &v, nullptr) || !call.vec(3, &out, &v) ||
      !call.need(v, m > 0 ? n : 0) || !call.need(out, m * n)) {
    return nullptr;
  }
  if (v.isF32()) {
    fillRowsImpl(m, n, static_cast<const float*>(v.data), static_cast<float*>(out.data));
  } else {
    fillRowsImpl(m, n, static_cast<const double*>(v.data), static_cast<double*>(out.data));
  }
  return undef(env);
}

napi_value ColSum(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"m", "n", "g", "scale", "out"};
  Call call(env, info, "colSum", names);
  int64_t m, n;
  double scale;
  Arr g, out;
  if (!call.arity(5) || !call.dim(0, &m) || !call.dim(1, &n) || !call.vec(2, &g, nullptr) || !call.num(3, &scale) ||
      !call.vec(4, &out, &g) || !call.need(g, m * n) || !call.need(out, n)) {
    return nullptr;
  }
  if (g.isF32()) {
    colSumImpl(m, n, static_cast<const float*>(g.data), scale, static_cast<float*>(out.data));
  } else {
    colSumImpl(m, n, static_cast<const double*>(g.data), scale, static_cast<double*>(out.data));
  }
  return undef(env);
}

napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"m", "n", "s", "gamma", "beta", "eps", "mean", "variance", "shat", "out"};
  Call call(env, info, "batchNormForward", names);
  int64_t m, n;
  double eps;
  Arr s, gamma, beta, mean, var, shat, out;
  if (!call.arity(10) || !call.dim(0, &m) || !call.dim(1, &n) || !call.vec(2, &s, nullptr) || !call.vec(3, &gamma, &s) ||
      !call.vec(4, &beta, &s) || !call.num(5, &eps) || !call.vec(6, &mean, &s) || !call.vec(7, &var, &s) ||
      !call.vec(8, &shat, &s) || !call.vec(9, &out, &s) || !call.need(s, m * n) || !call.need(gamma, m > 0 ? n : 0) ||
      !call.need(beta, m > 0 ? n : 0) || !call.need(mean, n) || !call.need(var, n) || !call.need(shat, m * n) ||
      !call.need(out, m * n)) {
    return nullptr;
  }
  if (s.isF32()) {
    bnForwardImpl(m, n, static_cast<const float*>(s.data), static_cast<const float*>(gamma.data),
                  static_cast<const float*>(beta.data), eps, static_cast<float*>(mean.data), static_cast<float*>(var.data),
                  static_cast<float*>(shat.data), static_cast<float*>(out.data));
  } else {
    bnForwardImpl(m, n, static_cast<const double*>(s.data), static_cast<const double*>(gamma.data),
                  static_cast<const double*>(beta.data), eps, static_cast<double*>(mean.data),
                  static_cast<double*>(var.data), static_cast<double*>(shat.data), static_cast<double*>(out.data));
  }
  return undef(env);
}

napi_value BatchNormInference(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"m", "n", "s", "mean", "variance", "gamma", "beta", "eps", "out"};
  Call call(env, info, "batchNormInference", names);
  int64_t m, n;
  double eps;
  Arr s, mean, var, gamma, beta, out;
  if (!call.arity(9) || !call.dim(0, &m) || !call.dim(1, &n) || !call.vec(2, &s, nullptr) || !call.vec(3, &mean, &s) ||
      !call.vec(4, &var, &s) || !call.vec(5, &gamma, &s) || !call.vec(6, &beta, &s) || !call.num(7, &eps) ||
      !call.vec(8, &out, &s)) {
    return nullptr;
  }
  const int64_t nv = m > 0 ? n : 0;
  if (!call.need(s, m * n) || !call.need(mean, nv) || !call.need(var, nv) || !call.need(gamma, nv) ||
      !call.need(beta, nv) || !call.need(out, m * n)) {
    return nullptr;
  }
  if (s.isF32()) {
    bnInferenceImpl(m, n, static_cast<const float*>(s.data), static_cast<const float*>(mean.data),
                    static_cast<const float*>(var.data), static_cast<const float*>(gamma.data),
                    static_cast<const float*>(beta.data), eps, static_cast<float*>(out.data));
  } else {
    bnInferenceImpl(m, n, static_cast<const double*>(s.data), static_cast<const double*>(mean.data),
                    static_cast<const double*>(var.data), static_cast<const double*>(gamma.data),
                    static_cast<const double*>(beta.data), eps, static_cast<double*>(out.data));
  }
  return undef(env);
}

napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"m", "n", "g", "shat", "variance", "gamma", "eps", "dgamma", "dbeta", "gIn"};
  Call call(env, info, "batchNormBackward", names);
  int64_t m, n;
  double eps;
  Arr g, shat, var, gamma, dgamma, dbeta, gIn;
  if (!call.arity(10) || !call.dim(0, &m) || !call.dim(1, &n) || !call.vec(2, &g, nullptr) || !call.vec(3, &shat, &g) ||
      !call.vec(4, &var, &g) || !call.vec(5, &gamma, &g) || !call.num(6, &eps) || !call.vec(7, &dgamma, &g) ||
      !call.vec(8, &dbeta, &g) || !call.vec(9, &gIn, &g)) {
    return nullptr;
  }
  const int64_t nv = m > 0 ? n : 0;
  if (!call.need(g, m * n) || !call.need(shat, m * n) || !call.need(var, nv) || !call.need(gamma, nv) ||
      !call.need(dgamma, n) || !call.need(dbeta, n) || !call.need(gIn, m * n)) {
    return nullptr;
  }
  if (g.isF32()) {
    bnBackwardImpl(m, n, static_cast<const float*>(g.data), static_cast<const float*>(shat.data),
                   static_cast<const float*>(var.data), static_cast<const float*>(gamma.data), eps,
                   static_cast<float*>(dgamma.data), static_cast<float*>(dbeta.data), static_cast<float*>(gIn.data));
  } else {
    bnBackwardImpl(m, n, static_cast<const double*>(g.data), static_cast<const double*>(shat.data),
                   static_cast<const double*>(var.data), static_cast<const double*>(gamma.data), eps,
                   static_cast<double*>(dgamma.data), static_cast<double*>(dbeta.data), static_cast<double*>(gIn.data));
  }
  return undef(env);
}

bool activationKind(Call& call, size_t i, int* kind) {
  double d;
  if (!call.num(i, &d)) return false;
  if (!(d == 0 || d == 1 || d == 2)) {
    call.throwError(kRangeError, "kind must be 0 (relu), 1 (leaky relu) or 2 (elu), got %g", d);
    return false;
  }
  *kind = static_cast<int>(d);
  return true;
}

napi_value ActivationForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"kind", "alpha", "len", "x", "out"};
  Call call(env, info, "activationForward", names);
  int kind;
  double alpha;
  int64_t len;
  Arr x, out;
  if (!call.arity(5) || !activationKind(call, 0, &kind) || !call.num(1, &alpha) || !call.dim(2, &len) ||
      !call.vec(3, &x, nullptr) || !call.vec(4, &out, &x) || !call.need(x, len) || !call.need(out, len)) {
    return nullptr;
  }
  if (x.isF32()) {
    actForwardImpl(kind, alpha, len, static_cast<const float*>(x.data), static_cast<float*>(out.data));
  } else {
    actForwardImpl(kind, alpha, len, static_cast<const double*>(x.data), static_cast<double*>(out.data));
  }
  return undef(env);
}

napi_value ActivationBackward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"kind", "alpha", "len", "x", "y", "g"};
  Call call(env, info, "activationBackward", names);
  int kind;
  double alpha;
  int64_t len;
  Arr x, y, g;
  if (!call.arity(6) || !activationKind(call, 0, &kind) || !call.num(1, &alpha) || !call.dim(2, &len) ||
      !call.vec(3, &x, nullptr) || !call.vec(4, &y, &x) || !call.vec(5, &g, &x) || !call.need(x, len) ||
      !call.need(y, kind == 2 ? len : 0) || !call.need(g, len)) {
    return nullptr;
  }
  if (x.isF32()) {
    actBackwardImpl(kind, alpha, len, static_cast<const float*>(x.data), static_cast<const float*>(y.data),
                    static_cast<float*>(g.data));
  } else {
    actBackwardImpl(kind, alpha, len, static_cast<const double*>(x.data), static_cast<const double*>(y.data),
                    static_cast<double*>(g.data));
  }
  return undef(env);
}

template <typename L>
bool checkLabels(Call& call, const L* labels, int64_t m, int64_t k) {
  for (int64_t i = 0; i < m; i++) {
    const int64_t y = static_cast<int64_t>(labels[i]);
    if (y < 0 || y >= k) {
      call.throwError(kRangeError, "labels[%lld] = %lld is outside [0, k = %lld)", (long long)i, (long long)y,
                      (long long)k);
      return false;
    }
  }
  return true;
}

template <typename T, typename L>
void softmaxDispatch(int64_t m, int64_t k, const Arr& s, const L* labels, const Arr& probs, const Arr& grad, double scale,
                     double* result) {
  softmaxImpl<T, L>(m, k, static_cast<const T*>(s.data), labels, static_cast<T*>(probs.data),
                    grad.present ? static_cast<T*>(grad.data) : nullptr, scale, result);
}

template <typename L>
bool softmaxLabels(Call& call, int64_t m, int64_t k, const Arr& s, const Arr& labels, const Arr& probs, const Arr& grad,
                   double scale, double* result) {
  const L* lab = static_cast<const L*>(labels.data);
  if (!checkLabels(call, lab, m, k)) return false;
  if (s.isF32()) {
    softmaxDispatch<float, L>(m, k, s, lab, probs, grad, scale, result);
  } else {
    softmaxDispatch<double, L>(m, k, s, lab, probs, grad, scale, result);
  }
  return true;
}

napi_value SoftmaxCrossEntropy(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"m", "k", "s", "labels", "probs", "grad", "gradScale", "result"};
  Call call(env, info, "softmaxCrossEntropy", names);
  int64_t m, k;
  double scale;
  Arr s, labels, probs, grad, result;
  if (!call.arity(8) || !call.dim(0, &m) || !call.dim(1, &k) || !call.vec(2, &s, nullptr) || !call.typed(3, &labels) ||
      !call.vec(4, &probs, &s) || !call.vec(5, &grad, &s, true) || !call.num(6, &scale) || !call.typed(7, &result)) {
    return nullptr;
  }
  if (labels.type != napi_uint8_array && labels.type != napi_uint16_array && labels.type != napi_int32_array) {
    call.throwError(kTypeError, "labels must be a Uint8Array, Uint16Array or Int32Array, got %s", typeName(labels.type));
    return nullptr;
  }
  if (result.type != napi_float64_array) {
    call.throwError(kTypeError, "result must be a Float64Array, got %s", typeName(result.type));
    return nullptr;
  }
  if (m > 0 && k == 0) {
    call.throwError(kRangeError, "k must be at least 1 when m > 0");
    return nullptr;
  }
  if (!call.need(s, m * k) || !call.need(labels, m) || !call.need(probs, m * k) || !call.need(grad, m * k) ||
      !call.need(result, 2)) {
    return nullptr;
  }
  double* res = static_cast<double*>(result.data);
  bool ok;
  if (labels.type == napi_uint8_array) {
    ok = softmaxLabels<uint8_t>(call, m, k, s, labels, probs, grad, scale, res);
  } else if (labels.type == napi_uint16_array) {
    ok = softmaxLabels<uint16_t>(call, m, k, s, labels, probs, grad, scale, res);
  } else {
    ok = softmaxLabels<int32_t>(call, m, k, s, labels, probs, grad, scale, res);
  }
  return ok ? undef(env) : nullptr;
}

napi_value SgdStep(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"len", "w", "g", "v", "eta", "rho", "l2"};
  Call call(env, info, "sgdStep", names);
  int64_t len;
  double eta, rho, l2;
  Arr w, g, v;
  if (!call.arity(7) || !call.dim(0, &len) || !call.vec(1, &w, nullptr) || !call.vec(2, &g, &w) ||
      !call.vec(3, &v, &w, true) || !call.num(4, &eta) || !call.num(5, &rho) || !call.num(6, &l2) ||
      !call.need(w, len) || !call.need(g, len) || !call.need(v, len)) {
    return nullptr;
  }
  if (w.isF32()) {
    sgdImpl(len, static_cast<float*>(w.data), static_cast<const float*>(g.data),
            v.present ? static_cast<float*>(v.data) : nullptr, eta, rho, l2);
  } else {
    sgdImpl(len, static_cast<double*>(w.data), static_cast<const double*>(g.data),
            v.present ? static_cast<double*>(v.data) : nullptr, eta, rho, l2);
  }
  return undef(env);
}

napi_value SumSquares(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"len", "w"};
  Call call(env, info, "sumSquares", names);
  int64_t len;
  Arr w;
  if (!call.arity(2) || !call.dim(0, &len) || !call.vec(1, &w, nullptr) || !call.need(w, len)) return nullptr;
  const double s = w.isF32() ? sumSquaresImpl(len, static_cast<const float*>(w.data))
                            : sumSquaresImpl(len, static_cast<const double*>(w.data));
  return number(env, s);
}

napi_value GatherNormalize(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"m", "d", "src", "rows", "mean", "invStd", "out"};
  Call call(env, info, "gatherNormalize", names);
  int64_t m, d;
  Arr src, rows, mean, invStd, out;
  if (!call.arity(7) || !call.dim(0, &m) || !call.dim(1, &d) || !call.typed(2, &src) || !call.typed(3, &rows) ||
      !call.vec(4, &mean, nullptr) || !call.vec(5, &invStd, &mean) || !call.vec(6, &out, &mean)) {
    return nullptr;
  }
  if (src.type != napi_uint8_array && src.type != napi_uint8_clamped_array) {
    call.throwError(kTypeError, "src must be a Uint8Array, got %s", typeName(src.type));
    return nullptr;
  }
  if (rows.type != napi_int32_array) {
    call.throwError(kTypeError, "rows must be an Int32Array, got %s", typeName(rows.type));
    return nullptr;
  }
  const int64_t dv = m > 0 ? d : 0;
  if (!call.need(rows, m) || !call.need(mean, dv) || !call.need(invStd, dv) || !call.need(out, m * d)) return nullptr;
  const int32_t* r = static_cast<const int32_t*>(rows.data);
  const int64_t srcLen = static_cast<int64_t>(src.length);
  for (int64_t i = 0; i < m; i++) {
    const int64_t row = r[i];
    if (row < 0 || (d > 0 && (row + 1) * d > srcLen)) {
      call.throwError(kRangeError, "rows[%lld] = %lld is outside the %lld images of src", (long long)i,
                      (long long)row, (long long)(d > 0 ? srcLen / d : 0));
      return nullptr;
    }
  }
  const uint8_t* sp = static_cast<const uint8_t*>(src.data);
  if (mean.isF32()) {
    gatherImpl(m, d, sp, r, static_cast<const float*>(mean.data), static_cast<const float*>(invStd.data),
               static_cast<float*>(out.data));
  } else {
    gatherImpl(m, d, sp, r, static_cast<const double*>(mean.data), static_cast<const double*>(invStd.data),
               static_cast<double*>(out.data));
  }
  return undef(env);
}

// ---------------------------------------------------------------------------------------------
// BLAS control.

napi_value SetThreads(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"n"};
  Call call(env, info, "setThreads", names);
  double d;
  if (!call.arity(1) || !call.num(0, &d)) return nullptr;
  if (!(d >= 1 && d <= 4096 && d == std::floor(d))) {
    call.throwError(kRangeError, "n must be a positive integer, got %g", d);
    return nullptr;
  }
  openblas_set_num_threads(static_cast<int>(d));
  return number(env, openblas_get_num_threads());
}

napi_value GetThreads(napi_env env, napi_callback_info) { return number(env, openblas_get_num_threads()); }

napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, blas, threads, core, procs;
  const char* config = openblas_get_config();
  const char* corename = openblas_get_corename();
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, config ? config : "OpenBLAS", NAPI_AUTO_LENGTH, &blas);
  napi_create_string_utf8(env, corename ? corename : "unknown", NAPI_AUTO_LENGTH, &core);
  napi_create_int32(env, openblas_get_num_threads(), &threads);
  napi_create_int32(env, openblas_get_num_procs(), &procs);
  napi_set_named_property(env, obj, "blas", blas);
  napi_set_named_property(env, obj, "threads", threads);
  napi_set_named_property(env, obj, "coretype", core);
  napi_set_named_property(env, obj, "procs", procs);
  return obj;
}

}  // namespace

NAPI_MODULE_INIT() {
  struct Fn {
    const char* name;
    napi_callback cb;
  };
  static const Fn fns[] = {
      {"gemm", Gemm},
      {"fillRows", FillRows},
      {"colSum", ColSum},
      {"batchNormForward", BatchNormForward},
      {"batchNormInference", BatchNormInference},
      {"batchNormBackward", BatchNormBackward},
      {"activationForward", ActivationForward},
      {"activationBackward", ActivationBackward},
      {"softmaxCrossEntropy", SoftmaxCrossEntropy},
      {"sgdStep", SgdStep},
      {"sumSquares", SumSquares},
      {"gatherNormalize", GatherNormalize},
      {"setThreads", SetThreads},
      {"getThreads", GetThreads},
      {"info", Info},
  };
  for (const Fn& f : fns) {
    napi_value fn;
    if (napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn) != napi_ok) return nullptr;
    if (napi_set_named_property(env, exports, f.name, fn) != napi_ok) return nullptr;
  }
  return exports;
}
