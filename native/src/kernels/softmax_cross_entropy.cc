// Softmax over each row of the scores, with the cross-entropy loss and the count of correct argmaxes.
#include <cmath>

#include "kernels.h"

namespace kernels {

// s, probs and grad are (m,k), labels is (m) with values in [0, k), result is (2). Writes
// probs = softmax of each row of s, grad = (probs - onehot(labels)) * gradScale when grad is not
// null, result[0] = the summed loss and result[1] = the rows whose first argmax is the label.
template <typename T, typename L>
void softmaxCrossEntropy(int64_t m, int64_t k, const T* s, const L* labels, T* probs, T* grad, double gradScale,
                         double* result) {
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
    // probs holds the rounded exp, then the rounded product with 1 / sum: the oracle's two stores.
    for (int64_t j = 0; j < k; j++) {
      const double e = std::exp(static_cast<double>(s[o + j]) - max);
      probs[o + j] = static_cast<T>(e);
      sum += e;
    }
    const int64_t y = static_cast<int64_t>(labels[i]);
    // log p_y from the shifted scores, as the oracle does: exact even when p_y underflows.
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

// The six (precision, label type) pairs the bindings call.
#define INSTANTIATE(T, L) \
  template void softmaxCrossEntropy<T, L>(int64_t, int64_t, const T*, const L*, T*, T*, double, double*);
INSTANTIATE(float, uint8_t)
INSTANTIATE(float, uint16_t)
INSTANTIATE(float, int32_t)
INSTANTIATE(double, uint8_t)
INSTANTIATE(double, uint16_t)
INSTANTIATE(double, int32_t)
#undef INSTANTIATE

}  // namespace kernels
