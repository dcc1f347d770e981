// The products' held operands (the binding's holdOperands): while held, a product whose b is the
// same array, strides and shape as the previous call of its kind reuses the copy of b it prepared
// then (bfloat16 pairs, float32 panels) instead of preparing it again. The caller promises b does
// not change until it releases the hold: a fused group's trials take one batch, an evaluation's
// chunks one weight matrix. Holding or releasing forgets every copy.
#pragma once

#include <cstdint>

namespace kernels {
namespace held {

struct Key {
  const float* b;
  int64_t ld, rows, cols;
};

// What one kind of product last prepared, and under which hold.
struct Slot {
  Key key{nullptr, 0, 0, 0};
  uint64_t hold = 0;
};

void set(bool on);

// True when slot's copy was prepared for key under the current hold (reuse it); otherwise records
// key as what the caller is about to prepare, and returns false.
bool reuse(Slot& slot, const Key& key);

}  // namespace held
}  // namespace kernels
