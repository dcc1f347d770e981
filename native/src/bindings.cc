// The addon's exported functions: the `Kernels` interface of src/core/kernels/kernels.ts (same
// names, same arguments in the same order) plus OpenBLAS thread control, and the module
// registration. Each function reads and checks its arguments (args.h), including the checks only
// it needs (leading dimensions, labels, rows), then calls its kernel (kernels/) for the precision
// of its float arrays. Nothing is allocated per call.
#include <node_api.h>

#include <cmath>
#include <cstdint>

#include <cstring>

#include "args.h"
#include "kernels/kernels.h"
#include "kernels/bf16gemm.h"
#include "kernels/held_operand.h"
#include "kernels/sgemm.h"

namespace {

using args::Arr;
using args::byPrecision;
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

// Elements spanned by a (rows,cols) matrix with row stride ld.
int64_t need2d(int64_t rows, int64_t cols, int64_t ld) { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; }

bool overlaps(const Arr& x, int64_t nx, const Arr& y, int64_t ny, size_t elem) {
  if (nx == 0 || ny == 0) return false;
  const uintptr_t x0 = reinterpret_cast<uintptr_t>(x.data), y0 = reinterpret_cast<uintptr_t>(y.data);
  const uintptr_t x1 = x0 + static_cast<uintptr_t>(nx) * elem, y1 = y0 + static_cast<uintptr_t>(ny) * elem;
  return x0 < y1 && y0 < x1;
}

// The shape, stride, length and overlap checks every product's arguments get (a RangeError
// naming the argument when one fails).
bool validGemm(Call& call, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const Arr& a, int64_t lda, const Arr& b,
               int64_t ldb, const Arr& c, int64_t ldc) {
  // Stored shapes: a is m x k (k x m when transposed), b is k x n (n x k), c is m x n.
  const int64_t aRows = ta ? k : m, aCols = ta ? m : k;
  const int64_t bRows = tb ? n : k, bCols = tb ? k : n;
  if (aRows > 0 && aCols > 0 && lda < aCols) {
    call.throwError(kRangeError, "lda (%lld) must be at least the row width of a (%lld)", (long long)lda, (long long)aCols);
    return false;
  }
  if (bRows > 0 && bCols > 0 && ldb < bCols) {
    call.throwError(kRangeError, "ldb (%lld) must be at least the row width of b (%lld)", (long long)ldb, (long long)bCols);
    return false;
  }
  if (m > 0 && n > 0 && ldc < n) {
    call.throwError(kRangeError, "ldc (%lld) must be at least n (%lld)", (long long)ldc, (long long)n);
    return false;
  }
  const bool useAB = m > 0 && n > 0 && k > 0;
  const int64_t needA = useAB ? need2d(aRows, aCols, lda) : 0;
  const int64_t needB = useAB ? need2d(bRows, bCols, ldb) : 0;
  const int64_t needC = need2d(m, n, ldc);
  if (!call.need(a, needA) || !call.need(b, needB) || !call.need(c, needC)) return false;
  const size_t elem = a.isF32() ? sizeof(float) : sizeof(double);
  if (overlaps(c, needC, a, needA, elem) || overlaps(c, needC, b, needB, elem)) {
    call.throwError(kRangeError, "c must not overlap a or b");
    return false;
  }
  return true;
}

// gemm's and gemmBf16's arguments: (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc).
struct GemmArgs {
  bool ta, tb;
  int64_t m, n, k, lda, ldb, ldc;
  double alpha, beta;
  Arr a, b, c;
};

// Reads and checks them (validGemm); false once it has thrown.
bool readGemm(Call& call, GemmArgs* g) {
  return call.arity(13) && call.boolean(0, &g->ta) && call.boolean(1, &g->tb) && call.dim(2, &g->m) &&
         call.dim(3, &g->n) && call.dim(4, &g->k) && call.num(5, &g->alpha) && call.vec(6, &g->a, nullptr) &&
         call.dim(7, &g->lda) && call.vec(8, &g->b, &g->a) && call.dim(9, &g->ldb) && call.num(10, &g->beta) &&
         call.vec(11, &g->c, &g->a) && call.dim(12, &g->ldc) &&
         validGemm(call, g->ta, g->tb, g->m, g->n, g->k, g->a, g->lda, g->b, g->ldb, g->c, g->ldc);
}

const char* const kGemmNames[] = {"transA", "transB", "m", "n", "k", "alpha", "a", "lda", "b", "ldb", "beta", "c", "ldc"};

napi_value Gemm(napi_env env, napi_callback_info info) {
  Call call(env, info, "gemm", kGemmNames);
  GemmArgs g;
  if (!readGemm(call, &g)) return nullptr;
  byPrecision(g.a, [&](auto t) {
    using T = decltype(t);
    kernels::gemm(g.ta, g.tb, g.m, g.n, g.k, g.alpha, g.a.as<T>(), g.lda, g.b.as<T>(), g.ldb, g.beta, g.c.as<T>(), g.ldc);
  });
  return undef(env);
}

// gemmBf16(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc): gemm's arguments, float32
// arrays, the operands rounded to bf16 (kernels/bf16gemm.h); a b^T (the forward product) and a^T b
// (the weight gradient) only.
napi_value GemmBf16(napi_env env, napi_callback_info info) {
  Call call(env, info, "gemmBf16", kGemmNames);
  GemmArgs g;
  if (!readGemm(call, &g)) return nullptr;
  if (!g.a.isF32()) {
    call.throwError(kTypeError, "gemmBf16 takes Float32Arrays");
    return nullptr;
  }
  if (g.ta == g.tb) {
    call.throwError(kRangeError, "gemmBf16 computes a b^T or a^T b only (transA != transB)");
    return nullptr;
  }
  const auto product = g.tb ? kernels::bf16::nt : kernels::bf16::tn;
  product(g.m, g.n, g.k, static_cast<float>(g.alpha), g.a.as<float>(), g.lda, g.b.as<float>(), g.ldb,
          static_cast<float>(g.beta), g.c.as<float>(), g.ldc);
  return undef(env);
}

// holdOperands(on): while on, a product whose b is the same array, strides and shape as the
// previous call of its kind reuses the copy it prepared of b (bf16 pairs, float32 panels); the
// caller promises b is unchanged meanwhile (kernels/held_operand.h).
napi_value HoldOperands(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"on"};
  Call call(env, info, "holdOperands", names);
  bool on;
  if (!call.arity(1) || !call.boolean(0, &on)) return nullptr;
  kernels::held::set(on);
  return undef(env);
}

// setBf16Fast(on): whether gemmBf16 uses AVX512-BF16 when the CPU has it (tests compare both
// paths); returns the setting in effect.
napi_value SetBf16Fast(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"on"};
  Call call(env, info, "setBf16Fast", names);
  bool on;
  if (!call.arity(1) || !call.boolean(0, &on)) return nullptr;
  kernels::bf16::setFast(on);
  napi_value out;
  napi_get_boolean(env, kernels::bf16::fast(), &out);
  return out;
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
  byPrecision(v, [&](auto t) {
    using T = decltype(t);
    kernels::fillRows(m, n, v.as<T>(), out.as<T>());
  });
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
  byPrecision(g, [&](auto t) {
    using T = decltype(t);
    kernels::colSum(m, n, g.as<T>(), scale, out.as<T>());
  });
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
  byPrecision(s, [&](auto t) {
    using T = decltype(t);
    kernels::batchNormForward(m, n, s.as<T>(), gamma.as<T>(), beta.as<T>(), eps, mean.as<T>(), var.as<T>(), shat.as<T>(),
                              out.as<T>());
  });
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
  byPrecision(s, [&](auto t) {
    using T = decltype(t);
    kernels::batchNormInference(m, n, s.as<T>(), mean.as<T>(), var.as<T>(), gamma.as<T>(), beta.as<T>(), eps, out.as<T>());
  });
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
  byPrecision(g, [&](auto t) {
    using T = decltype(t);
    kernels::batchNormBackward(m, n, g.as<T>(), shat.as<T>(), var.as<T>(), gamma.as<T>(), eps, dgamma.as<T>(),
                               dbeta.as<T>(), gIn.as<T>());
  });
  return undef(env);
}

bool activationKind(Call& call, size_t i, kernels::Activation* kind) {
  double d;
  if (!call.num(i, &d)) return false;
  if (!(d == kernels::kRelu || d == kernels::kLeakyRelu || d == kernels::kElu)) {
    call.throwError(kRangeError, "kind must be 0 (relu), 1 (leaky relu) or 2 (elu), got %g", d);
    return false;
  }
  *kind = static_cast<kernels::Activation>(static_cast<int>(d));
  return true;
}

napi_value ActivationForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"kind", "alpha", "len", "x", "out"};
  Call call(env, info, "activationForward", names);
  kernels::Activation kind;
  double alpha;
  int64_t len;
  Arr x, out;
  if (!call.arity(5) || !activationKind(call, 0, &kind) || !call.num(1, &alpha) || !call.dim(2, &len) ||
      !call.vec(3, &x, nullptr) || !call.vec(4, &out, &x) || !call.need(x, len) || !call.need(out, len)) {
    return nullptr;
  }
  byPrecision(x, [&](auto t) {
    using T = decltype(t);
    kernels::activationForward(kind, alpha, len, x.as<T>(), out.as<T>());
  });
  return undef(env);
}

napi_value ActivationBackward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"kind", "alpha", "len", "x", "y", "g"};
  Call call(env, info, "activationBackward", names);
  kernels::Activation kind;
  double alpha;
  int64_t len;
  Arr x, y, g;
  if (!call.arity(6) || !activationKind(call, 0, &kind) || !call.num(1, &alpha) || !call.dim(2, &len) ||
      !call.vec(3, &x, nullptr) || !call.vec(4, &y, &x) || !call.vec(5, &g, &x) || !call.need(x, len) ||
      !call.need(y, kind == kernels::kElu ? len : 0) || !call.need(g, len)) {
    return nullptr;
  }
  byPrecision(x, [&](auto t) {
    using T = decltype(t);
    kernels::activationBackward(kind, alpha, len, x.as<T>(), y.as<T>(), g.as<T>());
  });
  return undef(env);
}

// The kernel reads s[i][labels[i]], so every label must be in [0, k).
template <typename L>
bool labelsInRange(Call& call, const L* labels, int64_t m, int64_t k) {
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
  // By the label type (its element type comes in as `label`), then by precision.
  const auto run = [&](auto label) {
    using L = decltype(label);
    if (!labelsInRange(call, labels.as<L>(), m, k)) return false;
    byPrecision(s, [&](auto t) {
      using T = decltype(t);
      kernels::softmaxCrossEntropy(m, k, s.as<T>(), labels.as<L>(), probs.as<T>(), grad.as<T>(), scale, result.as<double>());
    });
    return true;
  };
  const bool ok = labels.type == napi_uint8_array    ? run(uint8_t{})
                  : labels.type == napi_uint16_array ? run(uint16_t{})
                                                     : run(int32_t{});
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
  byPrecision(w, [&](auto t) {
    using T = decltype(t);
    kernels::sgdStep(len, w.as<T>(), g.as<T>(), v.as<T>(), eta, rho, l2);
  });
  return undef(env);
}

napi_value SumSquares(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"len", "w"};
  Call call(env, info, "sumSquares", names);
  int64_t len;
  Arr w;
  if (!call.arity(2) || !call.dim(0, &len) || !call.vec(1, &w, nullptr) || !call.need(w, len)) return nullptr;
  return number(env, byPrecision(w, [&](auto t) { return kernels::sumSquares(len, w.as<decltype(t)>()); }));
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
  const int32_t* r = rows.as<int32_t>();
  const int64_t srcLen = static_cast<int64_t>(src.length);
  for (int64_t i = 0; i < m; i++) {
    const int64_t row = r[i];
    if (row < 0 || (d > 0 && (row + 1) * d > srcLen)) {
      call.throwError(kRangeError, "rows[%lld] = %lld is outside the %lld images of src", (long long)i,
                      (long long)row, (long long)(d > 0 ? srcLen / d : 0));
      return nullptr;
    }
  }
  byPrecision(mean, [&](auto t) {
    using T = decltype(t);
    kernels::gatherNormalize(m, d, src.as<uint8_t>(), r, mean.as<T>(), invStd.as<T>(), out.as<T>());
  });
  return undef(env);
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"n"};
  Call call(env, info, "setThreads", names);
  double d;
  if (!call.arity(1) || !call.num(0, &d)) return nullptr;
  if (!(d >= 1 && d <= 4096 && d == std::floor(d))) {
    call.throwError(kRangeError, "n must be a positive integer, got %g", d);
    return nullptr;
  }
  kernels::setBlasThreads(static_cast<int>(d));
  return number(env, kernels::blasThreads());
}

napi_value GetThreads(napi_env env, napi_callback_info) { return number(env, kernels::blasThreads()); }

napi_value Info(napi_env env, napi_callback_info) {
  const kernels::BlasInfo blas = kernels::blasInfo();
  napi_value obj, config, threads, core, procs, sgemm, detected;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, blas.config, NAPI_AUTO_LENGTH, &config);
  napi_create_string_utf8(env, blas.core, NAPI_AUTO_LENGTH, &core);
  napi_create_int32(env, blas.threads, &threads);
  napi_create_int32(env, blas.procs, &procs);
  napi_create_string_utf8(env, blas.sgemm, NAPI_AUTO_LENGTH, &sgemm);
  napi_create_string_utf8(env, blas.sgemmDetected, NAPI_AUTO_LENGTH, &detected);
  napi_set_named_property(env, obj, "blas", config);
  napi_set_named_property(env, obj, "threads", threads);
  napi_set_named_property(env, obj, "coretype", core);
  napi_set_named_property(env, obj, "procs", procs);
  napi_set_named_property(env, obj, "sgemm", sgemm);
  napi_set_named_property(env, obj, "sgemmDetected", detected);
  napi_value bf16;
  napi_create_string_utf8(env, kernels::bf16::fast() ? "avx512bf16" : "rounded", NAPI_AUTO_LENGTH, &bf16);
  napi_set_named_property(env, obj, "bf16", bf16);
  return obj;
}

// setSgemm("auto" | "openblas" | "avx2" | "avx512", allShapes = false): the kernels float32 nt / tn
// products use ("auto": the best the CPU has); with allShapes, even the small products (tests).
// Returns the choice in effect; an ISA the CPU lacks is a RangeError.
napi_value SetSgemm(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"kind", "allShapes"};
  Call call(env, info, "setSgemm", names);
  if (!call.arity(1)) return nullptr;
  bool allShapes = false;
  if (call.argc > 1 && !call.isNullish(1) && !call.boolean(1, &allShapes)) return nullptr;
  char kind[16];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, call.argv[0], kind, sizeof kind, &len) != napi_ok) {
    call.throwError(kTypeError, "kind must be a string");
    return nullptr;
  }
  using kernels::sgemm::Isa;
  Isa want;
  if (!std::strcmp(kind, "auto")) {
    want = kernels::sgemm::detectedIsa();
  } else if (!std::strcmp(kind, "openblas")) {
    want = Isa::kNone;
  } else if (!std::strcmp(kind, "avx2")) {
    want = Isa::kAvx2;
  } else if (!std::strcmp(kind, "avx512")) {
    want = Isa::kAvx512;
  } else {
    call.throwError(kRangeError, "kind must be auto, openblas, avx2 or avx512, got \"%s\"", kind);
    return nullptr;
  }
  if (kernels::sgemm::setIsa(want, allShapes) != want) {
    call.throwError(kRangeError, "this CPU cannot run the %s kernels (best: %s)", kind,
                    kernels::sgemm::isaName(kernels::sgemm::detectedIsa()));
    return nullptr;
  }
  napi_value out;
  napi_create_string_utf8(env, kernels::sgemm::isaName(want), NAPI_AUTO_LENGTH, &out);
  return out;
}

// allocate("float32" | "float64", n): a zeroed typed array of n elements whose data starts on a
// 64-byte boundary (a cache line; the vector loads of the products then never straddle two).
napi_value Allocate(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"precision", "n"};
  Call call(env, info, "allocate", names);
  int64_t n;
  if (!call.arity(2) || !call.dim(1, &n)) return nullptr;
  char precision[16];
  size_t len = 0;
  napi_get_value_string_utf8(env, call.argv[0], precision, sizeof precision, &len);
  const bool f32 = !std::strcmp(precision, "float32");
  if (!f32 && std::strcmp(precision, "float64")) {
    call.throwError(kRangeError, "precision must be float32 or float64");
    return nullptr;
  }
  constexpr size_t kAlign = 64;
  const size_t elem = f32 ? sizeof(float) : sizeof(double);
  void* data = nullptr;
  napi_value buffer, out;
  // ArrayBuffers are zero-filled; V8 never moves their contents, so the offset stays right.
  if (napi_create_arraybuffer(env, static_cast<size_t>(n) * elem + kAlign, &data, &buffer) != napi_ok) return nullptr;
  const size_t offset = (kAlign - reinterpret_cast<uintptr_t>(data) % kAlign) % kAlign;
  if (offset % elem != 0) {
    call.throwError(kRangeError, "array buffer data is not %zu-byte aligned", elem);
    return nullptr;
  }
  if (napi_create_typedarray(env, f32 ? napi_float32_array : napi_float64_array, static_cast<size_t>(n), buffer, offset,
                             &out) != napi_ok) {
    return nullptr;
  }
  return out;
}

}  // namespace

NAPI_MODULE_INIT() {
  struct Fn {
    const char* name;
    napi_callback cb;
  };
  static const Fn fns[] = {
      {"gemm", Gemm},
      {"gemmBf16", GemmBf16},
      {"setBf16Fast", SetBf16Fast},
      {"holdOperands", HoldOperands},
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
      {"setSgemm", SetSgemm},
      {"allocate", Allocate},
  };
  kernels::initThreads();
  for (const Fn& f : fns) {
    napi_value fn;
    if (napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn) != napi_ok) return nullptr;
    if (napi_set_named_property(env, exports, f.name, fn) != napi_ok) return nullptr;
  }
  return exports;
}
