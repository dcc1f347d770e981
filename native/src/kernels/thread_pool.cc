// See thread_pool.h. One job at a time, published through one 64-bit word (generation << 32 |
// next task): a worker takes a task with a compare-and-swap that also checks the generation, so a
// worker that wakes up late can never take a task of a later job, and the job's description (in
// one of two slots, by generation parity) is only read after such a swap succeeded, when the job
// is still running and its slot cannot have been reused.
#include "thread_pool.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstdio>
#include <cstring>
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

bool initialAdaptive() {
  const char* s = std::getenv("TRAINYARD_THREAD_POLICY");
  return !(s && !std::strcmp(s, "fixed"));
}
std::atomic<bool> adaptiveOn{initialAdaptive()};
Stats counts{0, 0};

// Recent timings per site, for choosing between one thread (choice 0) and all (choice 1). Only
// touched by the thread holding `busy`.
constexpr int kSamples = 5;
constexpr int kSites = 16;
struct Site {
  uint64_t key = 0;
  uint64_t lastUse = 0;
  uint64_t calls = 0;
  double samples[2][kSamples];
  int count[2] = {0, 0};
  int next[2] = {0, 0};
  // Calls between two tries of the other choice: doubles (up to kMaxProbeEvery) while the tries
  // confirm the choice, back to kMinProbeEvery when one changes it.
  uint64_t probeEvery = 32;
  uint64_t sinceProbe = 0;
  int lastBest = -1;
  // A try is a burst of kBurst calls with one choice; when that is all threads, the first call's
  // timing is dropped: it includes waking the workers from their futex (on a virtual machine
  // whose other vCPU went idle that can take longer than the whole product), which steady use of
  // all threads does not pay, since the workers keep polling between calls.
  int burstLeft = 0;
  int burstChoice = 0;
  bool dropNext = false;
};
constexpr int kBurst = 3;
constexpr uint64_t kMinProbeEvery = 32, kMaxProbeEvery = 1024;
Site sites[kSites];
uint64_t useClock = 0;

Site& findSite(uint64_t key) {
  Site* oldest = &sites[0];
  for (Site& s : sites) {
    if (s.key == key) return s;
    if (s.lastUse < oldest->lastUse) oldest = &s;
  }
  *oldest = Site{};
  oldest->key = key;
  return *oldest;
}

double recentMedian(const Site& s, int choice) {
  double v[kSamples];
  const int n = s.count[choice];
  for (int i = 0; i < n; i++) {
    int j = i;
    for (; j > 0 && v[j - 1] > s.samples[choice][i]; j--) v[j] = v[j - 1];
    v[j] = s.samples[choice][i];
  }
  return v[n / 2];
}

// Both choices are tried first (a burst each); then the faster one (median of its last kSamples
// timings), with a burst of the other now and then, so its timings stay current.
int startBurst(Site& s, int choice) {
  s.burstChoice = choice;
  s.burstLeft = kBurst - 1;
  s.dropNext = choice == 1;
  return choice;
}

int choose(Site& s) {
  if (s.burstLeft > 0) {
    s.burstLeft--;
    return s.burstChoice;
  }
  if (s.count[1] < 2) return startBurst(s, 1);
  if (s.count[0] < 2) return startBurst(s, 0);
  const int best = recentMedian(s, 0) <= recentMedian(s, 1) ? 0 : 1;
  if (best != s.lastBest) {
    s.probeEvery = kMinProbeEvery;
    s.lastBest = best;
  }
  if (++s.sinceProbe < s.probeEvery) return best;
  s.sinceProbe = 0;
  if (s.probeEvery < kMaxProbeEvery) s.probeEvery *= 2;
  return startBurst(s, 1 - best);
}

void record(Site& s, int choice, double seconds) {
  s.calls++;
  if (s.dropNext) {
    s.dropNext = false;
    return;
  }
  s.samples[choice][s.next[choice]] = seconds;
  s.next[choice] = (s.next[choice] + 1) % kSamples;
  if (s.count[choice] < kSamples) s.count[choice]++;
}

// How long a worker keeps polling for the next job before it sleeps (1 ms): longer than a
// training step of one trial, so the workers stay awake from one step to the next (and through a
// burst of tries), short enough not to burn a shared core once training pauses.
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

void workerLoop(int index, uint32_t seen) {
  for (;;) {
    const int64_t deadline = nowNanos() + spinNanos();
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

void setAdaptive(bool on) { adaptiveOn.store(on, std::memory_order_relaxed); }

bool adaptive() { return adaptiveOn.load(std::memory_order_relaxed); }

Stats stats() { return counts; }

// TRAINYARD_POOL_DEBUG=1: the sites' recent timings and choices on stderr at exit.
namespace {
struct SiteUse {
  int64_t single = 0, all = 0;
};
SiteUse siteUse[kSites];
void dumpSites() {
  for (int i = 0; i < kSites; i++) {
    const Site& s = sites[i];
    if (!s.key) continue;
    std::fprintf(stderr, "pool site %016llx: calls %llu (1 thread %lld, all %lld), median us 1 thread %.1f, all %.1f\n",
                 static_cast<unsigned long long>(s.key), static_cast<unsigned long long>(s.calls),
                 static_cast<long long>(siteUse[i].single), static_cast<long long>(siteUse[i].all),
                 s.count[0] ? recentMedian(s, 0) / 1e3 : -1.0, s.count[1] ? recentMedian(s, 1) / 1e3 : -1.0);
  }
}
const bool debugRegistered = [] {
  const char* d = std::getenv("TRAINYARD_POOL_DEBUG");
  if (d && *d == '1') std::atexit(dumpSites);
  return true;
}();
}  // namespace

namespace {
void runOn(int limit, int64_t tasks, TaskFn fn, const void* ctx);
}

void run(int64_t tasks, TaskFn fn, const void* ctx, int maxThreads, uint64_t site) {
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
  if (site == 0 || !adaptiveOn.load(std::memory_order_relaxed)) {
    counts.all++;
    runOn(limit, tasks, fn, ctx);
  } else {
    Site& s = findSite(site);
    s.lastUse = ++useClock;
    const int choice = choose(s);
    const int64_t t0 = nowNanos();
    (choice == 0 ? siteUse[&s - sites].single : siteUse[&s - sites].all)++;
    if (choice == 0) {
      counts.single++;
      for (int64_t t = 0; t < tasks; t++) fn(ctx, t);
    } else {
      counts.all++;
      runOn(limit, tasks, fn, ctx);
    }
    record(s, choice, static_cast<double>(nowNanos() - t0));
  }
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
