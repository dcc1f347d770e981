// The addon's own worker threads, for the kernels that split their work (the first-layer
// products, the mini-batch gather). One job at a time: run(tasks, fn) calls fn(task) for every
// task in [0, tasks) on the calling thread and the workers, each task taken by whichever thread is
// free next (an atomic counter), and returns when all are done. So a thread that the OS gives
// less time to (the cores are shared) simply takes fewer tasks; and since every task's arithmetic
// is fixed, the results do not depend on which thread ran which task, nor on the thread count.
// Workers poll for the next job for a while after one (1 ms: the next product of a step comes
// within microseconds) and then sleep on a futex; while the OS keeps switching a worker out for
// other processes, it polls only 20 us (thread_pool.cc: Contention).
//
// The cores may be shared with other processes. A worker the OS preempts while it holds a task
// delays the job until it runs again; choosing one thread or all per call by timing both was
// tried and measured no better than always using all of them (BENCHMARKS.md), so the thread count
// is fixed: setThreads, i.e. TRAINYARD_THREADS or OpenBLAS's default.
#pragma once

#include <cstdint>

namespace pool {

// Threads that run a job, the caller included (1 = run on the caller only). Workers are started
// on first use and kept.
void setThreads(int n);
int threads();

using TaskFn = void (*)(const void* ctx, int64_t task);

// fn(ctx, t) for t in [0, tasks); at most maxThreads threads take part (0 = threads()).
void run(int64_t tasks, TaskFn fn, const void* ctx, int maxThreads = 0);

}  // namespace pool
