// See thread_pool.h. One job at a time, published through one 64-bit word (generation << 32 |
// next task): a worker takes a task with a compare-and-swap that also checks the generation, so a
// worker that wakes up late can never take a task of a later job, and the job's description (in
// one of two slots, by generation parity) is only read after such a swap succeeded, when the job
// is still running and its slot cannot have been reused.
#include "thread_pool.h"

#include <linux/futex.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <thread>

#if defined(__x86_64__)
#include <immintrin.h>
#define POOL_PAUSE() _mm_pause()
#else
#define POOL_PAUSE() ((void)0)
#endif

namespace pool {
namespace {

struct Slot {
  std::atomic<TaskFn> fn{nullptr};
  std::atomic<const void*> ctx{nullptr};
  std::atomic<int64_t> tasks{0};
  std::atomic<int> maxThreads{0};
};

alignas(64) std::atomic<uint64_t> state{0};  // generation << 32 | next task
alignas(64) std::atomic<int64_t> done{0};    // tasks finished in the current job
alignas(64) std::atomic<uint32_t> wakeGen{0};
std::atomic<int> sleepers{0};
std::atomic<bool> busy{false};
Slot slots[2];
uint32_t generation = 0;  // written by the thread calling run() only
std::atomic<int> nThreads{1};
int started = 0;  // workers started (threads beyond the caller)

// How long a worker keeps polling for the next job before it sleeps (1 ms, unless its core is
// contended, below): longer than the
// gaps between the split kernels of a training step (the other layers of 8 fused trials take
// ~0.8 ms), so the workers stay awake through training, short enough not to burn a shared core
// once it pauses. Waking a sleeping worker on a virtual machine whose other vCPU went idle can
// take longer than a product.
// TRAINYARD_SPIN_US overrides it.
int64_t spinNanos() {
  static const int64_t ns = [] {
    const char* s = std::getenv("TRAINYARD_SPIN_US");
    return (s && *s ? std::atoll(s) : 1000) * 1000;
  }();
  return ns;
}

int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void futexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void futexWakeAll(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

// Takes and runs tasks of job `gen` until none is left; the caller of run() and the workers alike.
void participate(uint32_t gen) {
  const Slot& slot = slots[gen & 1];
  uint64_t s = state.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<uint32_t>(s >> 32) != gen) return;
    const int64_t task = static_cast<int64_t>(s & 0xffffffffu);
    // The job is current (its generation is in state), so its slot holds it.
    const int64_t tasks = slot.tasks.load(std::memory_order_relaxed);
    if (task >= tasks) return;
    if (!state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    slot.fn.load(std::memory_order_relaxed)(slot.ctx.load(std::memory_order_relaxed), task);
    done.fetch_add(1, std::memory_order_release);
    s = state.load(std::memory_order_acquire);
  }
}

// Whether this worker's core is contended: the OS took it away from the worker (involuntary
// context switches) at least twice in one 20 ms window within the last kContendedNanos (a single
// switch now and then is the OS's own housekeeping). A polling worker on a core another process
// wants runs in the OS's time slices, so a job waits milliseconds for a task the worker holds
// while it is switched out; a worker that sleeps between jobs is woken promptly instead (the OS
// favours threads that sleep). So while contended, workers poll only briefly.
constexpr int64_t kContendedNanos = 250'000'000;
constexpr int64_t kContendedSpinNanos = 20'000;

struct Contention {
  long switches = 0;
  int64_t until = 0;
  int64_t nextCheck = 0;

  bool now(int64_t t) {
    if (t >= nextCheck) {
      nextCheck = t + 20'000'000;  // getrusage is a system call: once per window
      rusage ru;
      if (getrusage(RUSAGE_THREAD, &ru) == 0) {
        if (ru.ru_nivcsw >= switches + 2) until = t + kContendedNanos;
        switches = ru.ru_nivcsw;
      }
    }
    return t < until;
  }
};

void workerLoop(int index, uint32_t seen) {
  Contention contention;
  for (;;) {
    const int64_t start = nowNanos();
    const int64_t deadline = start + (contention.now(start) ? kContendedSpinNanos : spinNanos());
    int polls = 0;
    while (wakeGen.load(std::memory_order_acquire) == seen) {
      POOL_PAUSE();
      if (++polls % 64 == 0 && nowNanos() > deadline) {
        sleepers.fetch_add(1, std::memory_order_seq_cst);
        futexWait(&wakeGen, seen);
        sleepers.fetch_sub(1, std::memory_order_seq_cst);
      }
    }
    seen = wakeGen.load(std::memory_order_acquire);
    const Slot& slot = slots[seen & 1];
    // A stale maxThreads only changes who helps, never what is computed.
    const int limit = slot.maxThreads.load(std::memory_order_relaxed);
    if (index < nThreads.load(std::memory_order_relaxed) && index < limit) participate(seen);
  }
}

}  // namespace

void setThreads(int n) { nThreads.store(n < 1 ? 1 : n > 64 ? 64 : n, std::memory_order_relaxed); }

int threads() { return nThreads.load(std::memory_order_relaxed); }

namespace {
void runOn(int limit, int64_t tasks, TaskFn fn, const void* ctx);
}

void run(int64_t tasks, TaskFn fn, const void* ctx, int maxThreads) {
  if (tasks <= 0) return;
  const int n = nThreads.load(std::memory_order_relaxed);
  int limit = maxThreads > 0 && maxThreads < n ? maxThreads : n;
  if (tasks < limit) limit = static_cast<int>(tasks);
  bool expected = false;
  // Serial: one thread, one task, or a job already running (another JS thread in this process).
  if (limit <= 1 || !busy.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
    for (int64_t t = 0; t < tasks; t++) fn(ctx, t);
    return;
  }
  runOn(limit, tasks, fn, ctx);
  busy.store(false, std::memory_order_release);
}

namespace {

// The caller holds `busy`.
void runOn(int limit, int64_t tasks, TaskFn fn, const void* ctx) {
  while (started < limit - 1) {
    // Detached: the threads live as long as the process; nothing joins them at exit.
    std::thread(workerLoop, ++started, wakeGen.load(std::memory_order_acquire)).detach();
  }
  const uint32_t gen = ++generation;
  Slot& slot = slots[gen & 1];
  slot.fn.store(fn, std::memory_order_relaxed);
  slot.ctx.store(ctx, std::memory_order_relaxed);
  slot.tasks.store(tasks, std::memory_order_relaxed);
  slot.maxThreads.store(limit, std::memory_order_relaxed);
  done.store(0, std::memory_order_relaxed);
  state.store(static_cast<uint64_t>(gen) << 32, std::memory_order_release);
  wakeGen.store(gen, std::memory_order_seq_cst);
  if (sleepers.load(std::memory_order_seq_cst) > 0) futexWakeAll(&wakeGen);
  participate(gen);
  while (done.load(std::memory_order_acquire) < tasks) POOL_PAUSE();
}

}  // namespace

}  // namespace pool
