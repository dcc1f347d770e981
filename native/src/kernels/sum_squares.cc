// The sum of squares of a vector (the L2 penalty of the weights).
#include "kernels.h"

namespace kernels {

// w is (len); returns the sum of w[i]^2 in double.
template <typename T>
HOT_KERNEL
double sumSquares(int64_t len, const T* w) {
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

template double sumSquares<float>(int64_t, const float*);
template double sumSquares<double>(int64_t, const double*);

}  // namespace kernels
