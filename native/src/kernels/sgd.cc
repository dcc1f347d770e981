// One step of stochastic gradient descent, with optional momentum and L2 weight decay.
#include "kernels.h"

namespace kernels {

// w, g and v (the velocity; null for plain SGD) are (len), updated in place:
// v = rho * v + g + l2 * w, then w -= eta * v (without v: w -= eta * (g + l2 * w)).
template <typename T>
HOT_KERNEL
void sgdStep(int64_t len, T* w, const T* g, T* v, double eta, double rho, double l2) {
  if (v) {
    for (int64_t i = 0; i < len; i++) {
      const double wi = static_cast<double>(w[i]);
      const double vi = rho * static_cast<double>(v[i]) + static_cast<double>(g[i]) + l2 * wi;
      const T vs = static_cast<T>(vi);
      v[i] = vs;
      // w steps by the unrounded vi, as the oracle's `w[i] -= eta * vi` (vi a JS double) does.
      w[i] = static_cast<T>(wi - eta * vi);
    }
  } else {
    for (int64_t i = 0; i < len; i++) {
      const double wi = static_cast<double>(w[i]);
      w[i] = static_cast<T>(wi - eta * (static_cast<double>(g[i]) + l2 * wi));
    }
  }
}

template void sgdStep<float>(int64_t, float*, const float*, float*, double, double, double);
template void sgdStep<double>(int64_t, double*, const double*, double*, double, double, double);

}  // namespace kernels
