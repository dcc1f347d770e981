// The end of an outer-product tile (sgemm.cc's outerTile512, bf16gemm.cc's two tiles): c = alpha
// acc + beta c for the tile's first mr rows, each 16-float vector under its column mask; c is not
// read when beta is 0 (it may hold garbage).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace kernels {

template <int MR, int NV>
__attribute__((target("avx512f"), always_inline)) inline void storeTile512(const __m512 (&acc)[MR][NV], int mr, float alphaS,
                                                                          float betaS, float* c, int64_t ldc,
                                                                          const __mmask16* masks) {
  const __m512 alpha = _mm512_set1_ps(alphaS), beta = _mm512_set1_ps(betaS);
  for (int r = 0; r < MR; r++) {
    if (r >= mr) break;
    float* crow = c + r * ldc;
    for (int v = 0; v < NV; v++) {
      __m512 out = _mm512_mul_ps(alpha, acc[r][v]);
      if (betaS != 0.0f) out = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(masks[v], crow + 16 * v), out);
      _mm512_mask_storeu_ps(crow + 16 * v, masks[v], out);
    }
  }
}

}  // namespace kernels
