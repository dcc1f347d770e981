// The addon's own worker threads, for the kernels that split their work (the first-layer
// products, the mini-batch gather). One job at a time: run(tasks, fn) calls fn(task) for every
// task in [0, tasks) on the calling thread and the workers, each task taken by whichever thread is
// free next (an atomic counter), and returns when all are done. So a thread that the OS gives
// less time to (the cores are shared) simply takes fewer tasks; and since every task's arithmetic
// is fixed, the results do not depend on which thread ran which task, nor on the thread count.
// Workers spin briefly after a job (the next product of a step comes within microseconds) and
// then sleep on a futex.
//
// The cores may be shared with other processes: a second thread helps when its core is free and
// costs a stall when it is not (the job waits for a task a preempted worker holds). So a job that
// names a site (a key for "this kind of call": a kernel and its shape) runs with either one
// thread or all of them, whichever has been faster for that site lately: the last few timings
// of each are kept, and the other count is tried now and then (a burst of 3 calls, every 32nd
// call after a change of choice, every 64th, 128th ... up to 1024th while the tries confirm it),
// so a change in load is noticed within tens to a thousand calls. Since results never depend on the thread count, this is only a matter
// of speed. setAdaptive(false) (or TRAINYARD_THREAD_POLICY=fixed) always uses all threads.
#pragma once

#include <cstdint>

namespace pool {

// Threads that run a job, the caller included (1 = run on the caller only). Workers are started
// on first use and kept.
void setThreads(int n);
int threads();

using TaskFn = void (*)(const void* ctx, int64_t task);

void setAdaptive(bool on);
bool adaptive();

// fn(ctx, t) for t in [0, tasks); at most maxThreads threads take part (0 = threads()). A non-zero
// site lets the pool choose between one thread and all of them by measurement (see above).
void run(int64_t tasks, TaskFn fn, const void* ctx, int maxThreads = 0, uint64_t site = 0);

// Runs f(t) for t in [0, tasks): a lambda version of run().
template <typename F>
void parallelFor(int64_t tasks, const F& f, uint64_t site = 0) {
  run(
      tasks, [](const void* ctx, int64_t t) { (*static_cast<const F*>(ctx))(t); }, &f, 0, site);
}

// A site key from a kernel's name (any distinct constant) and its shape.
constexpr uint64_t siteKey(uint64_t kernel, int64_t a, int64_t b, int64_t c) {
  return (kernel * 0x9E3779B97F4A7C15ull) ^ (static_cast<uint64_t>(a) << 42) ^ (static_cast<uint64_t>(b) << 21) ^
         static_cast<uint64_t>(c) ^ 1;
}

// Counts of the choices made so far (for the benchmarks): calls run on one thread, on all.
struct Stats {
  int64_t single, all;
};
Stats stats();

}  // namespace pool
