// A 16 x 16 block of 32-bit values transposed in AVX-512 registers: how the products pack a
// matrix's rows into the k-major panels their outer-product tiles read (sgemm.cc, bf16gemm.cc).
#pragma once

#include <immintrin.h>

namespace kernels {

// The 16 x 16 block in r (row l in r[l]) transposed into col (column c in col[c]).
__attribute__((target("avx512f"), always_inline)) inline void transpose16(const __m512* r, __m512* col) {
  __m512 s[16];
  // s[4 Q + g], 128-bit lane L: column 4 L + g of rows 4 Q .. 4 Q + 3.
  for (int Q = 0; Q < 4; Q++) {
    const __m512 t0 = _mm512_unpacklo_ps(r[4 * Q], r[4 * Q + 1]), t1 = _mm512_unpackhi_ps(r[4 * Q], r[4 * Q + 1]);
    const __m512 t2 = _mm512_unpacklo_ps(r[4 * Q + 2], r[4 * Q + 3]), t3 = _mm512_unpackhi_ps(r[4 * Q + 2], r[4 * Q + 3]);
    s[4 * Q] = _mm512_shuffle_ps(t0, t2, 0x44);
    s[4 * Q + 1] = _mm512_shuffle_ps(t0, t2, 0xEE);
    s[4 * Q + 2] = _mm512_shuffle_ps(t1, t3, 0x44);
    s[4 * Q + 3] = _mm512_shuffle_ps(t1, t3, 0xEE);
  }
  for (int g = 0; g < 4; g++) {
    const __m512 a = _mm512_shuffle_f32x4(s[g], s[4 + g], 0x88), b = _mm512_shuffle_f32x4(s[g], s[4 + g], 0xDD);
    const __m512 c = _mm512_shuffle_f32x4(s[8 + g], s[12 + g], 0x88), d = _mm512_shuffle_f32x4(s[8 + g], s[12 + g], 0xDD);
    col[g] = _mm512_shuffle_f32x4(a, c, 0x88);
    col[g + 8] = _mm512_shuffle_f32x4(a, c, 0xDD);
    col[g + 4] = _mm512_shuffle_f32x4(b, d, 0x88);
    col[g + 12] = _mm512_shuffle_f32x4(b, d, 0xDD);
  }
}

}  // namespace kernels
