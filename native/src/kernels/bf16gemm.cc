// See bf16gemm.h. The fast path converts both operands' rows to bf16 (round to nearest even,
// each row padded with zeros to a multiple of 32) and runs 5x5 tiles of vdpbf16ps dot products,
// 32 products per instruction where the float32 kernel does 16. Elsewhere it rounds the operands
// to bf16 values held in float32 and runs the float32 product: the same products (a product of
// two bf16 values is exact in float32), summed in another order.
#include "bf16gemm.h"

#include <immintrin.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "column_masks.h"
#include "held_operand.h"
#include "kernels.h"
#include "thread_pool.h"
#include "tile_store.h"
#include "transpose16.h"

#define BF16 __attribute__((target("avx512f,avx512bw,avx512bf16")))

namespace kernels {
namespace bf16 {
namespace {

// float32 -> bf16 bits, round to nearest even (inputs are finite: training stops on a NaN).
inline uint16_t toBf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

inline float fromBf16(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

bool detect() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

// Rows [r0, r1) of src (row stride ld, k used) into dst (row stride kp, zero padded).
struct Convert {
  const float* src;
  int64_t ld, k, kp;
  uint16_t* dst;
};

BF16 void convertRows(const Convert& p, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; r++) {
    const float* s = p.src + r * p.ld;
    uint16_t* d = p.dst + r * p.kp;
    int64_t q = 0;
    for (; q + 32 <= p.k; q += 32) {
      const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(s + q + 16), _mm512_loadu_ps(s + q));
      _mm512_storeu_si512(d + q, (__m512i)v);
    }
    for (; q < p.k; q++) d[q] = toBf16(s[q]);
    for (; q < p.kp; q++) d[q] = 0;
  }
}

struct Args {
  int64_t m, n, kp;
  float alpha, beta;
  const uint16_t* a;
  const uint16_t* b;
  float* c;
  int64_t ldc;
};

constexpr int MR = 5, NR = 5;
// A task: MR rows of c by at most kNb columns (as the float32 nt kernel: b's rows of a column
// block stay in L2 for the tasks of that block).
constexpr int64_t kNb = 50;

BF16 inline void tile(const Args& p, int64_t i, int64_t j, int mr, int nr) {
  const uint16_t* ar[MR];
  const uint16_t* br[NR];
  for (int r = 0; r < MR; r++) ar[r] = p.a + (i + (r < mr ? r : 0)) * p.kp;
  for (int c = 0; c < NR; c++) br[c] = p.b + (j + (c < nr ? c : 0)) * p.kp;
  __m512 acc[MR][NR];
  for (int r = 0; r < MR; r++)
    for (int c = 0; c < NR; c++) acc[r][c] = _mm512_setzero_ps();
  for (int64_t q = 0; q < p.kp; q += 32) {
    __m512bh av[MR];
    for (int r = 0; r < MR; r++) av[r] = (__m512bh)_mm512_loadu_si512(ar[r] + q);
    for (int c = 0; c < NR; c++) {
      const __m512bh bv = (__m512bh)_mm512_loadu_si512(br[c] + q);
      for (int r = 0; r < MR; r++) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], av[r], bv);
    }
  }
  for (int r = 0; r < MR; r++) {
    float* crow = p.c + (i + r) * p.ldc + j;
    for (int c = 0; c < NR; c++) {
      if (r < mr && c < nr) {
        const float v = p.alpha * _mm512_reduce_add_ps(acc[r][c]);
        crow[c] = p.beta == 0.0f ? v : v + p.beta * crow[c];
      }
    }
  }
}

BF16 void task(const void* ctx, int64_t t) {
  const Args& p = *static_cast<const Args*>(ctx);
  const int64_t rowTasks = (p.m + MR - 1) / MR;
  const int64_t i = (t % rowTasks) * MR;
  const int64_t j0 = (t / rowTasks) * kNb, j1 = p.n - j0 < kNb ? p.n : j0 + kNb;
  const int mr = static_cast<int>(p.m - i < MR ? p.m - i : MR);
  for (int64_t j = j0; j < j1; j += NR) tile(p, i, j, mr, static_cast<int>(j1 - j < NR ? j1 - j : NR));
}

// The operands' bf16 copies, kept per calling thread (a training process calls from one).
thread_local std::vector<uint16_t> bufA, bufB;
// What nt last converted b into.
held::Slot ntSlot;

// Conversion tasks: kConvertRows rows of a, then of b.
constexpr int64_t kConvertRows = 16;

struct ConvertJob {
  Convert a, b;
  int64_t rowsA, rowsB, tasksA;
};

BF16 void convertTask(const void* ctx, int64_t t) {
  const ConvertJob& j = *static_cast<const ConvertJob*>(ctx);
  if (t < j.tasksA) {
    const int64_t r0 = t * kConvertRows;
    convertRows(j.a, r0, r0 + kConvertRows < j.rowsA ? r0 + kConvertRows : j.rowsA);
  } else {
    const int64_t r0 = (t - j.tasksA) * kConvertRows;
    convertRows(j.b, r0, r0 + kConvertRows < j.rowsB ? r0 + kConvertRows : j.rowsB);
  }
}

// Small products run on the calling thread only (waking a worker costs more), as sgemm.cc.
int threadsFor(int64_t m, int64_t n, int64_t k) { return m * n * k >= (1 << 20) ? 0 : 1; }

// nt with many rows, as sgemm.cc's: b converted and packed into panels of 16 of its rows, one
// 32-bit bf16 pair (b[j][2p], b[j][2p+1]) per lane (panel t holds row 16 t + l's pair p at
// [p][l], rows past n zero), so that c's tile of MR rows by 16 NV columns is a sum of k / 2 pair
// products: a broadcast pair of a's row by NV panel vectors, in vdpbf16ps.

constexpr int kNtpMr = 6, kNtpNv = 4;
constexpr int64_t kNtpMinRows = 64;
constexpr int64_t kNtpTaskRows = 8 * kNtpMr;

struct NtpPack {
  const float* b;
  int64_t ldb, n, k, pairs;
  uint32_t* panels;
};

// Task t: panel t of b, 32 floats of 16 rows at a time (16 pairs each), transposed in registers.
BF16 void ntpPackTask(const void* ctx, int64_t t) {
  const NtpPack& w = *static_cast<const NtpPack*>(ctx);
  uint32_t* out = w.panels + t * w.pairs * 16;
  const int64_t rows = w.n - 16 * t < 16 ? w.n - 16 * t : 16;
  const float* b0 = w.b + 16 * t * w.ldb;
  for (int64_t p = 0; p < w.pairs; p += 16) {
    const int64_t q = 2 * p;
    const auto mask = [&](int64_t from) {
      const int64_t left = w.k - from;
      return left >= 16 ? static_cast<__mmask16>(0xffff) : left <= 0 ? static_cast<__mmask16>(0) : static_cast<__mmask16>((1u << left) - 1);
    };
    const __mmask16 lo = mask(q), hi = mask(q + 16);
    __m512 r[16], col[16];
    for (int l = 0; l < 16; l++) {
      const float* row = b0 + l * w.ldb;
      r[l] = l < rows ? _mm512_castsi512_ps((__m512i)_mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, row + q + 16), _mm512_maskz_loadu_ps(lo, row + q)))
                      : _mm512_setzero_ps();
    }
    transpose16(r, col);
    for (int c = 0; c < 16; c++) _mm512_store_si512(out + (p + c) * 16, _mm512_castps_si512(col[c]));
  }
}

struct NtpArgs {
  int64_t m, n, pairs;
  float alpha, beta;
  const uint16_t* a;  // bufA: rows of 2 pairs bf16 values
  const uint32_t* panels;
  float* c;
  int64_t ldc;
};

template <int NV>
BF16 inline __attribute__((always_inline)) void ntpTile(const NtpArgs& w, int64_t i, int64_t j, int mr, const __mmask16* masks) {
  constexpr int MR = kNtpMr;
  const uint16_t* ar[MR];
  for (int r = 0; r < MR; r++) ar[r] = w.a + (i + (r < mr ? r : 0)) * 2 * w.pairs;
  const uint32_t* bp = w.panels + (j / 16) * w.pairs * 16;
  __m512 acc[MR][NV];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_ps();
  for (int64_t p = 0; p < w.pairs; p++) {
    __m512bh bv[NV];
    for (int v = 0; v < NV; v++) bv[v] = (__m512bh)_mm512_load_si512(bp + v * w.pairs * 16 + p * 16);
    for (int r = 0; r < MR; r++) {
      const __m512bh av = (__m512bh)_mm512_broadcastd_epi32(_mm_loadu_si32(ar[r] + 2 * p));
      for (int v = 0; v < NV; v++) acc[r][v] = _mm512_dpbf16_ps(acc[r][v], av, bv[v]);
    }
  }
  storeTile512<MR, NV>(acc, mr, w.alpha, w.beta, w.c + i * w.ldc + j, w.ldc, masks);
}

// Task t: one column tile (16 NV columns) of rows [i0, i0 + kNtpTaskRows) of c.
BF16 void ntpTask(const void* ctx, int64_t t) {
  const NtpArgs& w = *static_cast<const NtpArgs*>(ctx);
  constexpr int W = 16 * kNtpNv;
  const int64_t rowBlocks = (w.m + kNtpTaskRows - 1) / kNtpTaskRows;
  const int64_t i0 = (t % rowBlocks) * kNtpTaskRows, i1 = w.m - i0 < kNtpTaskRows ? w.m : i0 + kNtpTaskRows;
  const int64_t j = (t / rowBlocks) * W;
  const int64_t cols = w.n - j < W ? w.n - j : W;
  __mmask16 masks[kNtpNv];
  columnMasks<kNtpNv>(cols, masks);
  const int nv = static_cast<int>((cols + 15) / 16);
  for (int64_t i = i0; i < i1; i += kNtpMr) {
    const int mr = static_cast<int>(i1 - i < kNtpMr ? i1 - i : kNtpMr);
    switch (nv) {
      case 4: ntpTile<4>(w, i, j, mr, masks); break;
      case 3: ntpTile<3>(w, i, j, mr, masks); break;
      case 2: ntpTile<2>(w, i, j, mr, masks); break;
      default: ntpTile<1>(w, i, j, mr, masks); break;
    }
  }
}

// b's panels (64-byte aligned), and what they were last packed from.
struct PanelBuffer {
  uint32_t* data = nullptr;
  size_t words = 0;
  ~PanelBuffer() { std::free(data); }
};
PanelBuffer panelBuffer;
held::Slot ntpSlot;

BF16 void ntPacked(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                   int64_t ldb, float beta, float* c, int64_t ldc, int threads) {
  const int64_t kp = (k + 31) / 32 * 32, pairs = kp / 2, panels = (n + 15) / 16;
  if (bufA.size() < static_cast<size_t>(m * kp)) bufA.resize(m * kp);
  const size_t words = static_cast<size_t>(panels * pairs * 16);
  if (panelBuffer.words < words) {
    std::free(panelBuffer.data);
    panelBuffer.data = static_cast<uint32_t*>(std::aligned_alloc(64, words * sizeof(uint32_t)));
    panelBuffer.words = words;
    ntpSlot = held::Slot{};
  }
  const ConvertJob job{{a, lda, k, kp, bufA.data()}, {b, ldb, k, kp, nullptr}, m, 0, (m + kConvertRows - 1) / kConvertRows};
  pool::run(job.tasksA, convertTask, &job, threads);
  if (!held::reuse(ntpSlot, {b, ldb, n, k})) {
    const NtpPack pack{b, ldb, n, k, pairs, panelBuffer.data};
    pool::run(panels, ntpPackTask, &pack, threads);
  }
  const NtpArgs w{m, n, pairs, alpha, beta, bufA.data(), panelBuffer.data, c, ldc};
  constexpr int W = 16 * kNtpNv;
  pool::run((m + kNtpTaskRows - 1) / kNtpTaskRows * ((n + W - 1) / W), ntpTask, &w, threads);
}

BF16 void ntFast(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                 int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m >= kNtpMinRows) return ntPacked(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threadsFor(m, n, k));
  const int64_t kp = (k + 31) / 32 * 32;
  if (bufA.size() < static_cast<size_t>(m * kp)) bufA.resize(m * kp);
  if (bufB.size() < static_cast<size_t>(n * kp)) bufB.resize(n * kp);
  const int threads = threadsFor(m, n, k);
  const ConvertJob job{{a, lda, k, kp, bufA.data()}, {b, ldb, k, kp, bufB.data()}, m, n, (m + kConvertRows - 1) / kConvertRows};
  // b (the weights) is converted again only when the caller does not hold it (an evaluation does).
  const int64_t tasksB = held::reuse(ntSlot, {b, ldb, n, k}) ? 0 : (n + kConvertRows - 1) / kConvertRows;
  pool::run(job.tasksA + tasksB, convertTask, &job, threads);
  const Args p{m, n, kp, alpha, beta, bufA.data(), bufB.data(), c, ldc};
  pool::run((m + MR - 1) / MR * ((n + kNb - 1) / kNb), task, &p, threads);
}

// ---------------------------------------------------------------------------------------------
// tn: c (m,n) = alpha a^T b + beta c, a (k,m), b (k,n): the weight gradient G^T X, k = the batch.
// vdpbf16ps sums pairs along k, so both operands are packed as pairs of rows 2p, 2p + 1: a as one
// 32-bit pair per (column i, p), broadcast; b as rows of n pairs, 16 columns to a vector.

// Rounded bf16 bits of 16 floats, in the high halves of 32-bit lanes (nearest, ties to even).
BF16 inline __m512i roundedHigh(__m512 x) {
  const __m512i u = _mm512_castps_si512(x);
  const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  const __m512i r = _mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), odd);
  return _mm512_and_si512(r, _mm512_set1_epi32(static_cast<int>(0xffff0000u)));
}

struct TnPack {
  const float* b;
  int64_t ldb, k, n;
  uint32_t* bp;  // (k/2 rounded up) rows of n pairs
};

// Task p: pair row p of b.
BF16 void tnPackTask(const void* ctx, int64_t p) {
  const TnPack& t = *static_cast<const TnPack*>(ctx);
  const float* r0 = t.b + 2 * p * t.ldb;
  const bool second = 2 * p + 1 < t.k;
  const float* r1 = r0 + t.ldb;
  uint32_t* out = t.bp + p * t.n;
  int64_t q = 0;
  for (; q + 16 <= t.n; q += 16) {
    const __m512i lo = _mm512_srli_epi32(roundedHigh(_mm512_loadu_ps(r0 + q)), 16);
    const __m512i hi = second ? roundedHigh(_mm512_loadu_ps(r1 + q)) : _mm512_setzero_si512();
    _mm512_storeu_si512(out + q, _mm512_or_si512(lo, hi));
  }
  for (; q < t.n; q++) out[q] = toBf16(r0[q]) | (second ? static_cast<uint32_t>(toBf16(r1[q])) << 16 : 0u);
}

struct TnArgs {
  int64_t m, n, pairs;
  float alpha, beta;
  const uint32_t* ap;  // m rows of `pairs` pairs
  const uint32_t* bp;  // `pairs` rows of n pairs
  float* c;
  int64_t ldc;
};

constexpr int kTnMr = 5, kTnNv = 4, kTnW = 16 * kTnNv;

template <bool Masked>
BF16 inline void tnTile(const TnArgs& p, int64_t i, int64_t j, int mr, const __mmask16* masks) {
  const uint32_t* arow[kTnMr];
  for (int r = 0; r < kTnMr; r++) arow[r] = p.ap + (i + (r < mr ? r : 0)) * p.pairs;
  __m512 acc[kTnMr][kTnNv];
  for (int r = 0; r < kTnMr; r++)
    for (int v = 0; v < kTnNv; v++) acc[r][v] = _mm512_setzero_ps();
  const uint32_t* brow = p.bp + j;
  for (int64_t q = 0; q < p.pairs; q++, brow += p.n) {
    __m512bh bv[kTnNv];
    for (int v = 0; v < kTnNv; v++)
      bv[v] = (__m512bh)(Masked ? _mm512_maskz_loadu_epi32(masks[v], brow + 16 * v) : _mm512_loadu_si512(brow + 16 * v));
    for (int r = 0; r < kTnMr; r++) {
      const __m512bh av = (__m512bh)_mm512_set1_epi32(static_cast<int>(arow[r][q]));
      for (int v = 0; v < kTnNv; v++) acc[r][v] = _mm512_dpbf16_ps(acc[r][v], av, bv[v]);
    }
  }
  // An unmasked tile's masks are all full (tnTask): the same store.
  storeTile512<kTnMr, kTnNv>(acc, mr, p.alpha, p.beta, p.c + i * p.ldc + j, p.ldc, masks);
}

// Task t: columns [64 t, 64 t + 64) of c, every row.
BF16 void tnTask(const void* ctx, int64_t t) {
  const TnArgs& p = *static_cast<const TnArgs*>(ctx);
  const int64_t j = t * kTnW, cols = p.n - j < kTnW ? p.n - j : kTnW;
  __mmask16 masks[kTnNv];
  columnMasks<kTnNv>(cols, masks);
  for (int64_t i = 0; i < p.m; i += kTnMr) {
    const int mr = static_cast<int>(p.m - i < kTnMr ? p.m - i : kTnMr);
    if (cols == kTnW) {
      tnTile<false>(p, i, j, mr, masks);
    } else {
      tnTile<true>(p, i, j, mr, masks);
    }
  }
}

thread_local std::vector<uint32_t> packA, packB;

// What tn last packed b into (held_operand.h: reused while the caller holds it).
held::Slot tnSlot;

BF16 void tnFast(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
                 int64_t ldb, float beta, float* c, int64_t ldc) {
  const int64_t pairs = (k + 1) / 2;
  if (packA.size() < static_cast<size_t>(m * pairs)) packA.resize(m * pairs);
  if (packB.size() < static_cast<size_t>(pairs * n)) packB.resize(pairs * n);
  // a is small (k x m, m = a layer's width): packed here, column by column.
  for (int64_t i = 0; i < m; i++) {
    for (int64_t q = 0; q < pairs; q++) {
      const uint32_t lo = toBf16(a[2 * q * lda + i]);
      const uint32_t hi = 2 * q + 1 < k ? toBf16(a[(2 * q + 1) * lda + i]) : 0u;
      packA[i * pairs + q] = lo | (hi << 16);
    }
  }
  const int threads = threadsFor(m, n, k);
  if (!held::reuse(tnSlot, {b, ldb, k, n})) {
    const TnPack pack{b, ldb, k, n, packB.data()};
    pool::run(pairs, tnPackTask, &pack, threads);
  }
  const TnArgs p{m, n, pairs, alpha, beta, packA.data(), packB.data(), c, ldc};
  pool::run((n + kTnW - 1) / kTnW, tnTask, &p, threads);
}

}  // namespace

bool available() {
  static const bool d = detect();
  return d;
}

bool useFast = true;

void setFast(bool on) { useFast = on && available(); }
bool fast() { return useFast && available(); }

float round(float x) { return fromBf16(toBf16(x)); }

void nt(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
        float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k > 0 && available() && useFast) return ntFast(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  rounded(false, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void tn(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
        float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k > 0 && available() && useFast) return tnFast(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  rounded(true, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// rows x cols of src (row stride ld) rounded to bf16 values, packed (row stride cols).
static std::vector<float> roundedRows(const float* src, int64_t rows, int64_t cols, int64_t ld) {
  std::vector<float> out(rows * cols);
  for (int64_t r = 0; r < rows; r++)
    for (int64_t q = 0; q < cols; q++) out[r * cols + q] = round(src[r * ld + q]);
  return out;
}

void rounded(bool transA, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
             int64_t ldb, float beta, float* c, int64_t ldc) {
  // Stored shapes: nt a (m,k), b (n,k); tn a (k,m), b (k,n).
  const int64_t aCols = transA ? m : k, bCols = transA ? n : k;
  const std::vector<float> ra = roundedRows(a, transA ? k : m, aCols, lda);
  const std::vector<float> rb = roundedRows(b, transA ? k : n, bCols, ldb);
  gemm<float>(transA, !transA, m, n, k, alpha, ra.data(), aCols, rb.data(), bCols, beta, c, ldc);
}

}  // namespace bf16
}  // namespace kernels
