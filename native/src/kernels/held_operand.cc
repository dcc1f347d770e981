// See held_operand.h. The products are called from one thread (the addon's caller); the pool's
// workers only read the prepared copies.
#include "held_operand.h"

namespace kernels {
namespace held {
namespace {
// 0 while not holding; each hold gets a new number, so copies made under an earlier one never match.
uint64_t current = 0;
uint64_t holds = 0;
}  // namespace

void set(bool on) { current = on ? ++holds : 0; }

bool reuse(Slot& slot, const Key& key) {
  const Key& k = slot.key;
  const bool same = current != 0 && slot.hold == current && k.b == key.b && k.ld == key.ld && k.rows == key.rows &&
                    k.cols == key.cols;
  if (!same) {
    slot.key = key;
    slot.hold = current;
  }
  return same;
}

}  // namespace held
}  // namespace kernels
