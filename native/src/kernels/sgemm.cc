// See sgemm.h. Register-tiled microkernels, one per layout and ISA; edge tiles reuse the full
// microkernel with the missing rows pointed at a valid row (computed, never stored) and masked
// loads and stores for the columns past the end, so there is one code path per layout and ISA.
#include "sgemm.h"

#include <immintrin.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "column_masks.h"
#include "held_operand.h"
#include "thread_pool.h"
#include "tile_store.h"
#include "transpose16.h"

#define SGEMM_INLINE inline __attribute__((always_inline))
#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2,fma")))

namespace kernels {
namespace sgemm {
namespace {

struct Args {
  int64_t m, n, k;
  float alpha, beta;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float* c;
  int64_t ldc;
};

// c = alpha * sum (+ beta * c); c is not read when beta is 0 (it may hold garbage).
SGEMM_INLINE void storeScalar(const Args& p, float* c, float sum) {
  const float v = p.alpha * sum;
  *c = p.beta == 0.0f ? v : v + p.beta * *c;
}

// ---------------------------------------------------------------------------------------------
// nt, AVX-512: an MR x NR tile of dot products over the whole of k, 16 lanes at a time; each lane
// sums every 16th product, the 16 lanes are added at the end.

constexpr int kNtMr512 = 5, kNtNr512 = 5;

// Columns [q0, q1) of the dot products; the first k block (q0 == 0) applies beta, later ones add.
AVX512 SGEMM_INLINE void ntTile512(const Args& p, int64_t i, int64_t j, int mr, int nr, int64_t q0, int64_t q1) {
  constexpr int MR = kNtMr512, NR = kNtNr512;
  const float* ar[MR];
  const float* br[NR];
  for (int r = 0; r < MR; r++) ar[r] = p.a + (i + (r < mr ? r : 0)) * p.lda;
  for (int c = 0; c < NR; c++) br[c] = p.b + (j + (c < nr ? c : 0)) * p.ldb;
  __m512 acc[MR][NR];
  for (int r = 0; r < MR; r++)
    for (int c = 0; c < NR; c++) acc[r][c] = _mm512_setzero_ps();
  int64_t q = q0;
  for (; q + 16 <= q1; q += 16) {
    __m512 av[MR];
    for (int r = 0; r < MR; r++) av[r] = _mm512_loadu_ps(ar[r] + q);
    for (int c = 0; c < NR; c++) {
      const __m512 bv = _mm512_loadu_ps(br[c] + q);
      for (int r = 0; r < MR; r++) acc[r][c] = _mm512_fmadd_ps(av[r], bv, acc[r][c]);
    }
  }
  if (q < q1) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (q1 - q)) - 1);
    __m512 av[MR];
    for (int r = 0; r < MR; r++) av[r] = _mm512_maskz_loadu_ps(mask, ar[r] + q);
    for (int c = 0; c < NR; c++) {
      const __m512 bv = _mm512_maskz_loadu_ps(mask, br[c] + q);
      for (int r = 0; r < MR; r++) acc[r][c] = _mm512_fmadd_ps(av[r], bv, acc[r][c]);
    }
  }
  // Compile-time bounds keep acc in registers (a loop to mr would index it at run time).
  for (int r = 0; r < MR; r++) {
    float* crow = p.c + (i + r) * p.ldc + j;
    for (int c = 0; c < NR; c++) {
      if (r < mr && c < nr) {
        const float s = _mm512_reduce_add_ps(acc[r][c]);
        if (q0 == 0) {
          storeScalar(p, crow + c, s);
        } else {
          crow[c] += p.alpha * s;
        }
      }
    }
  }
}

// Tasks of nt: MR rows of c by at most kNtNb columns. A task streams its MR rows of a once per
// column tile; with many columns (fused trials) the column blocks keep the rows of b a task reads
// (kNtNb x k) in L2 for the tasks of the same block.
constexpr int64_t kNtNb = 50;

struct NtTasks {
  int64_t rowTasks, tasks;
};

NtTasks ntTasks(const Args& p, int mr) {
  const int64_t rowTasks = (p.m + mr - 1) / mr;
  return {rowTasks, rowTasks * ((p.n + kNtNb - 1) / kNtNb)};
}

// Task t: rows [t MR, t MR + MR) of c, every column.
AVX512 void ntTask512(const void* ctx, int64_t t) {
  const Args& p = *static_cast<const Args*>(ctx);
  const int64_t rowTasks = (p.m + kNtMr512 - 1) / kNtMr512;
  const int64_t i = (t % rowTasks) * kNtMr512;
  const int64_t j0 = (t / rowTasks) * kNtNb, j1 = p.n - j0 < kNtNb ? p.n : j0 + kNtNb;
  const int mr = static_cast<int>(p.m - i < kNtMr512 ? p.m - i : kNtMr512);
  for (int64_t j = j0; j < j1; j += kNtNr512) {
    ntTile512(p, i, j, mr, static_cast<int>(j1 - j < kNtNr512 ? j1 - j : kNtNr512), 0, p.k);
  }
}

// ---------------------------------------------------------------------------------------------
// An MR x (16 NV) tile of c as a sum of k outer products, shared by tn and the packed nt: the
// broadcasts ar[r][q aq] (row r of the tile's a, already offset) times the vectors of 16 floats
// at b + v bv + q bq; c = alpha sum + beta c, masked to the tile's columns. Masked loads b's
// vectors under the masks too (tn's last column tile; packed panels are padded instead).

// The outer products q in [q0, q1) added to acc, in order.
template <int MR, int NV, bool Masked>
AVX512 SGEMM_INLINE void outerSpan512(__m512 (&acc)[MR][NV], const float* const* ar, int64_t aq, const float* b, int64_t bv,
                                      int64_t bq, int64_t q0, int64_t q1, const __mmask16* masks) {
  for (int64_t q = q0; q < q1; q++) {
    __m512 bvec[NV];
    for (int v = 0; v < NV; v++) bvec[v] = Masked ? _mm512_maskz_loadu_ps(masks[v], b + v * bv + q * bq) : _mm512_loadu_ps(b + v * bv + q * bq);
    for (int r = 0; r < MR; r++) {
      const __m512 av = _mm512_set1_ps(ar[r][q * aq]);
      for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(av, bvec[v], acc[r][v]);
    }
  }
}

template <int MR, int NV, bool Masked>
AVX512 SGEMM_INLINE void outerTile512(const float* const* ar, int64_t aq, const float* b, int64_t bv, int64_t bq, int64_t k,
                                      int mr, float alphaS, float betaS, float* c, int64_t ldc, const __mmask16* masks) {
  __m512 acc[MR][NV];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_ps();
  outerSpan512<MR, NV, Masked>(acc, ar, aq, b, bv, bq, 0, k, masks);
  storeTile512<MR, NV>(acc, mr, alphaS, betaS, c, ldc, masks);
}

// ---------------------------------------------------------------------------------------------
// nt with many rows (evaluation's 500-image chunks), AVX-512: b packed once into panels of 16 of
// its rows, k-major (panel p holds b[16p + l][q] at [q][l], rows past n zero), so that c's tile of
// MR rows by 16 NV columns is a sum of k outer products: MR broadcasts of a[i][q] by NV panel
// vectors, as in tn. Each c lane sums its k products in order: the bits do not depend on the tiling.

constexpr int kNtpMr512 = 6, kNtpNv512 = 4;
// Without a hold every call packs b again: at the reports' batch of 100 rows that still gains
// (1.3x on 100 x 250 x 3072); with few rows the packing would be most of the work.
constexpr int64_t kNtpMinRows = 64;
// Rows of c a task computes (for one column tile).
constexpr int64_t kNtpTaskRows = 8 * kNtpMr512;

struct NtpArgs {
  Args p;
  const float* panels;
};

struct NtpPack {
  const float* b;
  int64_t ldb, n, k;
  float* panels;
};

// Task t: panel t of b, 16 x 16 blocks transposed in registers.
AVX512 void ntpPackTask(const void* ctx, int64_t t) {
  const NtpPack& w = *static_cast<const NtpPack*>(ctx);
  float* out = w.panels + t * w.k * 16;
  const int64_t rows = w.n - 16 * t < 16 ? w.n - 16 * t : 16;
  const float* b0 = w.b + 16 * t * w.ldb;
  for (int64_t q = 0; q < w.k; q += 16) {
    const int64_t cols = w.k - q < 16 ? w.k - q : 16;
    const __mmask16 mask = cols == 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << cols) - 1);
    __m512 r[16], col[16];
    for (int l = 0; l < 16; l++) r[l] = l < rows ? _mm512_maskz_loadu_ps(mask, b0 + l * w.ldb + q) : _mm512_setzero_ps();
    transpose16(r, col);
    for (int c = 0; c < cols; c++) _mm512_store_ps(out + (q + c) * 16, col[c]);
  }
}

// Products [q0, q1) of the tile at row i, column j, added to its partial sums in part (kept in
// float, so a sum carried across k blocks has the bits of one loop over k); the last block
// stores c = alpha sum + beta c.
template <int NV>
AVX512 SGEMM_INLINE void ntpTile512(const NtpArgs& w, int64_t i, int64_t j, int mr, int64_t q0, int64_t q1, float* part, const __mmask16* masks) {
  const Args& p = w.p;
  const float* ar[kNtpMr512];
  for (int r = 0; r < kNtpMr512; r++) ar[r] = p.a + (i + (r < mr ? r : 0)) * p.lda;
  __m512 acc[kNtpMr512][NV];
  for (int r = 0; r < kNtpMr512; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = q0 == 0 ? _mm512_setzero_ps() : _mm512_load_ps(part + (r * kNtpNv512 + v) * 16);
  outerSpan512<kNtpMr512, NV, false>(acc, ar, 1, w.panels + (j / 16) * p.k * 16, p.k * 16, 16, q0, q1, masks);
  if (q1 == p.k) {
    storeTile512<kNtpMr512, NV>(acc, mr, p.alpha, p.beta, p.c + i * p.ldc + j, p.ldc, masks);
  } else {
    for (int r = 0; r < kNtpMr512; r++)
      for (int v = 0; v < NV; v++) _mm512_store_ps(part + (r * kNtpNv512 + v) * 16, acc[r][v]);
  }
}

// k of a block. Blocks of 512 ran the forward products 4-7 % faster than one pass over k, and
// than blocks of 128, 256 or 1,024 (Zen 5, bench:sgemm shapes, builds alternated 8 times).
constexpr int64_t kNtpKc = 512;

// Task t: one column tile (16 NV columns) of rows [i0, i0 + kNtpTaskRows) of c, one k block at a
// time across the task's row tiles.
AVX512 void ntpTask512(const void* ctx, int64_t t) {
  const NtpArgs& w = *static_cast<const NtpArgs*>(ctx);
  const Args& p = w.p;
  constexpr int W = 16 * kNtpNv512;
  const int64_t rowBlocks = (p.m + kNtpTaskRows - 1) / kNtpTaskRows;
  const int64_t i0 = (t % rowBlocks) * kNtpTaskRows, i1 = p.m - i0 < kNtpTaskRows ? p.m : i0 + kNtpTaskRows;
  const int64_t j = (t / rowBlocks) * W;
  const int64_t cols = p.n - j < W ? p.n - j : W;
  __mmask16 masks[kNtpNv512];
  columnMasks<kNtpNv512>(cols, masks);
  const int nv = static_cast<int>((cols + 15) / 16);
  // The partial sums of the task's row tiles, MR rows of 16 NV floats each.
  alignas(64) float part[kNtpTaskRows / kNtpMr512][kNtpMr512 * 16 * kNtpNv512];
  for (int64_t q0 = 0; q0 < p.k; q0 += kNtpKc) {
    const int64_t q1 = p.k - q0 < kNtpKc ? p.k : q0 + kNtpKc;
    for (int64_t i = i0; i < i1; i += kNtpMr512) {
      const int mr = static_cast<int>(i1 - i < kNtpMr512 ? i1 - i : kNtpMr512);
      float* tilePart = part[(i - i0) / kNtpMr512];
      switch (nv) {
        case 4: ntpTile512<4>(w, i, j, mr, q0, q1, tilePart, masks); break;
        case 3: ntpTile512<3>(w, i, j, mr, q0, q1, tilePart, masks); break;
        case 2: ntpTile512<2>(w, i, j, mr, q0, q1, tilePart, masks); break;
        default: ntpTile512<1>(w, i, j, mr, q0, q1, tilePart, masks); break;
      }
    }
  }
}

// The panels of the last packed b (held_operand.h: reused while the caller holds it).
struct PanelBuffer {
  float* data = nullptr;
  size_t floats = 0;
  ~PanelBuffer() { std::free(data); }
};
PanelBuffer panelBuffer;
held::Slot panelSlot;

AVX512 void ntPacked512(const Args& p, int threads) {
  const int64_t panels = (p.n + 15) / 16;
  const size_t floats = static_cast<size_t>(panels * p.k * 16);
  if (panelBuffer.floats < floats) {
    std::free(panelBuffer.data);
    panelBuffer.data = static_cast<float*>(std::aligned_alloc(64, floats * sizeof(float)));
    panelBuffer.floats = floats;
    panelSlot = held::Slot{};
  }
  if (!held::reuse(panelSlot, {p.b, p.ldb, p.n, p.k})) {
    const NtpPack pack{p.b, p.ldb, p.n, p.k, panelBuffer.data};
    pool::run(panels, ntpPackTask, &pack, threads);
  }
  const NtpArgs w{p, panelBuffer.data};
  constexpr int W = 16 * kNtpNv512;
  pool::run((p.m + kNtpTaskRows - 1) / kNtpTaskRows * ((p.n + W - 1) / W), ntpTask512, &w, threads);
}

// ---------------------------------------------------------------------------------------------
// tn, AVX-512: an MR x (16 NV) tile of c accumulated over k outer products: row q of a gives MR
// broadcasts, row q of b gives NV vectors.

constexpr int kTnMr512 = 5, kTnNv512 = 4;

template <bool Masked>
AVX512 SGEMM_INLINE void tnTile512(const Args& p, int64_t i, int64_t j, int mr, const __mmask16* masks) {
  const float* acol[kTnMr512];
  for (int r = 0; r < kTnMr512; r++) acol[r] = p.a + i + (r < mr ? r : 0);
  outerTile512<kTnMr512, kTnNv512, Masked>(acol, p.lda, p.b + j, 16, p.ldb, p.k, mr, p.alpha, p.beta, p.c + i * p.ldc + j, p.ldc, masks);
}

// Task t: columns [16 NV t, 16 NV t + 16 NV) of c, every row (the slice of b stays in L1).
AVX512 void tnTask512(const void* ctx, int64_t t) {
  const Args& p = *static_cast<const Args*>(ctx);
  constexpr int W = 16 * kTnNv512;
  const int64_t j = t * W;
  const int64_t cols = p.n - j < W ? p.n - j : W;
  __mmask16 masks[kTnNv512];
  columnMasks<kTnNv512>(cols, masks);
  for (int64_t i = 0; i < p.m; i += kTnMr512) {
    const int mr = static_cast<int>(p.m - i < kTnMr512 ? p.m - i : kTnMr512);
    if (cols == W) {
      tnTile512<false>(p, i, j, mr, masks);
    } else {
      tnTile512<true>(p, i, j, mr, masks);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The same two kernels for AVX2 + FMA (16 vector registers of 8 floats).

constexpr int kNtMr256 = 3, kNtNr256 = 4;

AVX2 SGEMM_INLINE float hsum256(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

// Lane mask for the first `count` (0..8) of 8 floats, for vmaskmovps.
AVX2 SGEMM_INLINE __m256i laneMask256(int64_t count) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const int n = static_cast<int>(count < 0 ? 0 : count > 8 ? 8 : count);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

AVX2 SGEMM_INLINE void ntTile256(const Args& p, int64_t i, int64_t j, int mr, int nr) {
  constexpr int MR = kNtMr256, NR = kNtNr256;
  const float* ar[MR];
  const float* br[NR];
  for (int r = 0; r < MR; r++) ar[r] = p.a + (i + (r < mr ? r : 0)) * p.lda;
  for (int c = 0; c < NR; c++) br[c] = p.b + (j + (c < nr ? c : 0)) * p.ldb;
  __m256 acc[MR][NR];
  for (int r = 0; r < MR; r++)
    for (int c = 0; c < NR; c++) acc[r][c] = _mm256_setzero_ps();
  int64_t q = 0;
  for (; q + 8 <= p.k; q += 8) {
    __m256 av[MR];
    for (int r = 0; r < MR; r++) av[r] = _mm256_loadu_ps(ar[r] + q);
    for (int c = 0; c < NR; c++) {
      const __m256 bv = _mm256_loadu_ps(br[c] + q);
      for (int r = 0; r < MR; r++) acc[r][c] = _mm256_fmadd_ps(av[r], bv, acc[r][c]);
    }
  }
  if (q < p.k) {
    const __m256i mask = laneMask256(p.k - q);
    __m256 av[MR];
    for (int r = 0; r < MR; r++) av[r] = _mm256_maskload_ps(ar[r] + q, mask);
    for (int c = 0; c < NR; c++) {
      const __m256 bv = _mm256_maskload_ps(br[c] + q, mask);
      for (int r = 0; r < MR; r++) acc[r][c] = _mm256_fmadd_ps(av[r], bv, acc[r][c]);
    }
  }
  for (int r = 0; r < MR; r++) {
    float* crow = p.c + (i + r) * p.ldc + j;
    for (int c = 0; c < NR; c++) {
      if (r < mr && c < nr) storeScalar(p, crow + c, hsum256(acc[r][c]));
    }
  }
}

AVX2 void ntTask256(const void* ctx, int64_t t) {
  const Args& p = *static_cast<const Args*>(ctx);
  const int64_t rowTasks = (p.m + kNtMr256 - 1) / kNtMr256;
  const int64_t i = (t % rowTasks) * kNtMr256;
  const int64_t j0 = (t / rowTasks) * kNtNb, j1 = p.n - j0 < kNtNb ? p.n : j0 + kNtNb;
  const int mr = static_cast<int>(p.m - i < kNtMr256 ? p.m - i : kNtMr256);
  for (int64_t j = j0; j < j1; j += kNtNr256) {
    ntTile256(p, i, j, mr, static_cast<int>(j1 - j < kNtNr256 ? j1 - j : kNtNr256));
  }
}

constexpr int kTnMr256 = 6, kTnNv256 = 2;

template <bool Masked>
AVX2 SGEMM_INLINE void tnTile256(const Args& p, int64_t i, int64_t j, int mr, const __m256i* masks) {
  constexpr int MR = kTnMr256, NV = kTnNv256;
  const float* acol[MR];
  for (int r = 0; r < MR; r++) acol[r] = p.a + i + (r < mr ? r : 0);
  __m256 acc[MR][NV];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = _mm256_setzero_ps();
  const float* brow = p.b + j;
  for (int64_t q = 0; q < p.k; q++, brow += p.ldb) {
    __m256 bv[NV];
    for (int v = 0; v < NV; v++) bv[v] = Masked ? _mm256_maskload_ps(brow + 8 * v, masks[v]) : _mm256_loadu_ps(brow + 8 * v);
    const int64_t off = q * p.lda;
    for (int r = 0; r < MR; r++) {
      const __m256 av = _mm256_broadcast_ss(acol[r] + off);
      for (int v = 0; v < NV; v++) acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
  const __m256 alpha = _mm256_set1_ps(p.alpha), beta = _mm256_set1_ps(p.beta);
  for (int r = 0; r < MR; r++) {
    if (r >= mr) break;
    float* crow = p.c + (i + r) * p.ldc + j;
    for (int v = 0; v < NV; v++) {
      __m256 out = _mm256_mul_ps(alpha, acc[r][v]);
      if (p.beta != 0.0f) {
        const __m256 old = Masked ? _mm256_maskload_ps(crow + 8 * v, masks[v]) : _mm256_loadu_ps(crow + 8 * v);
        out = _mm256_fmadd_ps(beta, old, out);
      }
      if (Masked) {
        _mm256_maskstore_ps(crow + 8 * v, masks[v], out);
      } else {
        _mm256_storeu_ps(crow + 8 * v, out);
      }
    }
  }
}

// Task t: columns [64 t, 64 t + 64) of c, every row; for each row tile, the four 16-column
// microtiles in turn, so the 64-column slice of b is what stays in L1.
constexpr int kTnW256 = 64;

AVX2 void tnTask256(const void* ctx, int64_t t) {
  const Args& p = *static_cast<const Args*>(ctx);
  constexpr int W = 8 * kTnNv256;
  const int64_t j0 = t * kTnW256, j1 = p.n - j0 < kTnW256 ? p.n : j0 + kTnW256;
  for (int64_t i = 0; i < p.m; i += kTnMr256) {
    const int mr = static_cast<int>(p.m - i < kTnMr256 ? p.m - i : kTnMr256);
    for (int64_t j = j0; j < j1; j += W) {
      const int64_t cols = j1 - j < W ? j1 - j : W;
      if (cols == W) {
        tnTile256<false>(p, i, j, mr, nullptr);
      } else {
        __m256i masks[kTnNv256];
        for (int v = 0; v < kTnNv256; v++) masks[v] = laneMask256(cols - 8 * v);
        tnTile256<true>(p, i, j, mr, masks);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

Isa detect();
}  // namespace

Isa detectedIsa() {
  static const Isa d = detect();
  return d;
}

namespace {

Isa detect() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
  return Isa::kNone;
}

Isa initialIsa() {
  const char* s = std::getenv("TRAINYARD_SGEMM");
  Isa want = detectedIsa();
  if (s && !std::strcmp(s, "openblas")) want = Isa::kNone;
  if (s && !std::strcmp(s, "avx2")) want = Isa::kAvx2;
  return static_cast<int>(want) <= static_cast<int>(detectedIsa()) ? want : detectedIsa();
}

Isa current = initialIsa();
bool everyShape = false;

constexpr int64_t kMinMacs = 1 << 18;
// With AVX-512 the own kernels also beat OpenBLAS on the hidden layers' small products (100 x 50
// x 50 nt as outer products, 50 x 50 x 100 tn: ~1.5x in bench/profileGroup); not below this.
constexpr int64_t kSmallMacs = 1 << 14;
bool ntWorthIt(int64_t m, int64_t n, int64_t k) {
  return everyShape || (k >= 256 && m * n * k >= kMinMacs) ||
         (current == Isa::kAvx512 && m >= kNtpMinRows && m * n * k >= kSmallMacs);
}
bool tnWorthIt(int64_t m, int64_t n, int64_t k) {
  return everyShape || (n >= 512 && m * n * k >= kMinMacs) || (current == Isa::kAvx512 && m * n * k >= kSmallMacs);
}

// Products smaller than this many multiply-adds run on the calling thread only: waking a worker
// costs more than it saves.
constexpr int64_t kParallelMacs = 1 << 20;

int threadsFor(int64_t m, int64_t n, int64_t k) { return m * n * k >= kParallelMacs ? 0 : 1; }

}  // namespace

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx2:
      return "avx2";
    default:
      return "openblas";
  }
}

Isa isa() { return current; }

Isa setIsa(Isa want, bool allShapes) {
  if (static_cast<int>(want) <= static_cast<int>(detectedIsa())) {
    current = want;
    everyShape = allShapes;
  }
  return current;
}

bool nt(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
        float beta, float* c, int64_t ldc) {
  if (current == Isa::kNone || !ntWorthIt(m, n, k)) return false;
  const Args p{m, n, k, alpha, beta, a, lda, b, ldb, c, ldc};
  if (current == Isa::kAvx512 && m >= kNtpMinRows) {
    ntPacked512(p, threadsFor(m, n, k));
  } else if (current == Isa::kAvx512) {
    pool::run(ntTasks(p, kNtMr512).tasks, ntTask512, &p, threadsFor(m, n, k));
  } else {
    pool::run(ntTasks(p, kNtMr256).tasks, ntTask256, &p, threadsFor(m, n, k));
  }
  return true;
}

bool tn(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
        float beta, float* c, int64_t ldc) {
  if (current == Isa::kNone || !tnWorthIt(m, n, k)) return false;
  const Args p{m, n, k, alpha, beta, a, lda, b, ldb, c, ldc};
  if (current == Isa::kAvx512) {
    constexpr int W = 16 * kTnNv512;
    pool::run((n + W - 1) / W, tnTask512, &p, threadsFor(m, n, k));
  } else {
    pool::run((n + kTnW256 - 1) / kTnW256, tnTask256, &p, threadsFor(m, n, k));
  }
  return true;
}

}  // namespace sgemm
}  // namespace kernels
