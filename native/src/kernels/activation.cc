// Elementwise activations (relu, leaky relu, elu) and their gradients.
#include <cmath>

#include "kernels.h"

namespace kernels {

// x and out are (len): out = x where x > 0, else 0 (relu), alpha * x (leaky relu) or
// alpha * expm1(x) (elu). out may be x.
template <typename T>
HOT_KERNEL
void activationForward(Activation kind, double alpha, int64_t len, const T* x, T* out) {
  if (kind == kRelu) {
    for (int64_t i = 0; i < len; i++) {
      const T v = x[i];
      out[i] = v > 0 ? v : T(0);
    }
  } else if (kind == kLeakyRelu) {
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

// x (the input of the forward pass), y (its output; read for elu only) and g are (len); g, the
// gradient of the output, becomes the gradient of the input in place.
template <typename T>
HOT_KERNEL
void activationBackward(Activation kind, double alpha, int64_t len, const T* x, const T* y, T* g) {
  // `x > 0` keeps g as it is and anything else (NaN too) takes the other branch: the oracle's `!(x[i] > 0)`.
  if (kind == kRelu) {
    for (int64_t i = 0; i < len; i++) g[i] = x[i] > 0 ? g[i] : T(0);
  } else if (kind == kLeakyRelu) {
    for (int64_t i = 0; i < len; i++) {
      const T gi = g[i];
      const T neg = static_cast<T>(static_cast<double>(gi) * alpha);
      g[i] = x[i] > 0 ? gi : neg;
    }
  } else {
    // ELU'(x) = alpha * exp(x) = y + alpha for x <= 0, from the stored output as the oracle does.
    for (int64_t i = 0; i < len; i++) {
      const T gi = g[i];
      const T neg = static_cast<T>(static_cast<double>(gi) * (static_cast<double>(y[i]) + alpha));
      g[i] = x[i] > 0 ? gi : neg;
    }
  }
}

template void activationForward<float>(Activation, double, int64_t, const float*, float*);
template void activationForward<double>(Activation, double, int64_t, const double*, double*);
template void activationBackward<float>(Activation, double, int64_t, const float*, const float*, float*);
template void activationBackward<double>(Activation, double, int64_t, const double*, const double*, double*);

}  // namespace kernels
