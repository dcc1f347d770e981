// The lane masks of a tile's 16-float column vectors when the tile has `cols` columns: full
// vectors, then one partial, then empty ones (the products' last column tiles).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace kernels {

template <int NV>
inline void columnMasks(int64_t cols, __mmask16* masks) {
  for (int v = 0; v < NV; v++) {
    const int64_t left = cols - 16 * v;
    masks[v] = left >= 16 ? static_cast<__mmask16>(0xffff) : left <= 0 ? static_cast<__mmask16>(0) : static_cast<__mmask16>((1u << left) - 1);
  }
}

}  // namespace kernels
