// The sgemm limit (issue 11): GFLOP/s of the two first-layer products of a 3072-50-50-10 network,
// batch 100, float32, in a plain C loop with nothing else running in the process, for one trial
// (N = 50) and for eight fused trials (N = 400), OpenBLAS at 1 and 2 threads. Not part of the addon:
// built and run by native/bench/sgemmLimit.mjs (`npm run bench:sgemm`).
//
// Measuring on shared, noisy cores: every configuration is timed in short blocks, and the blocks of
// all configurations are interleaved (round r times config 0, 1, 2, ... then round r+1 ...), so a
// burst of load from another process hits every configuration alike. Printed per configuration:
// the median over rounds, the 10th-90th percentile range and the best round.
#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <immintrin.h>

#include "kernels/sgemm.h"
#include "kernels/thread_pool.h"

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

struct Shape {
  const char* name;
  bool transA, transB;
  int m, n, k;
  float alpha, beta;
};

// The products of one training step's first layer (network.ts: forward, and backward with SGD inside
// the weight-gradient product; fusedFirstLayer.ts for the fused group, where dW is written, beta 0).
const Shape kShapes[] = {
    {"fwd  S=X.W^T   1 trial ", false, true, 100, 50, 3072, 1.0f, 0.0f},
    {"dW   W=bW+aG^TX 1 trial", true, false, 50, 3072, 100, -0.01f, 0.9999f},
    {"fwd  S=X.W^T   8 fused ", false, true, 100, 400, 3072, 1.0f, 0.0f},
    {"dW   dW=G^TX   8 fused ", true, false, 400, 3072, 100, 1.0f, 0.0f},
    {"square 1024^3 (peak)   ", false, false, 1024, 1024, 1024, 1.0f, 0.0f},
};

// 64-byte aligned, as training allocates the first layer's operands (Kernels.allocate).
template <typename T>
struct AlignedAlloc {
  using value_type = T;
  AlignedAlloc() = default;
  template <typename U>
  AlignedAlloc(const AlignedAlloc<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64)); }
  void deallocate(T* p, size_t) { free(p); }
  bool operator==(const AlignedAlloc&) const { return true; }
  bool operator!=(const AlignedAlloc&) const { return false; }
};

struct Buffers {
  std::vector<float, AlignedAlloc<float>> a, b, c;
};

Buffers makeBuffers(const Shape& s) {
  Buffers buf;
  buf.a.resize(static_cast<size_t>(s.m) * s.k);
  buf.b.resize(static_cast<size_t>(s.k) * s.n);
  buf.c.resize(static_cast<size_t>(s.m) * s.n);
  uint32_t x = 12345;
  auto rnd = [&]() {
    x = x * 1664525u + 1013904223u;
    return static_cast<float>(x >> 8) / 16777216.0f - 0.5f;
  };
  for (auto& v : buf.a) v = rnd();
  for (auto& v : buf.b) v = rnd();
  for (auto& v : buf.c) v = rnd();
  return buf;
}

enum Impl { kOpenblas, kOwn512, kOwn256 };
const char* implName(Impl i) { return i == kOpenblas ? "OpenBLAS" : i == kOwn512 ? "own avx512" : "own avx2"; }

void callOwn(const Shape& s, Buffers& buf) {
  const int lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n;
  namespace sg = kernels::sgemm;
  const bool ok = s.transB ? sg::nt(s.m, s.n, s.k, s.alpha, buf.a.data(), lda, buf.b.data(), ldb, s.beta, buf.c.data(), s.n)
                           : sg::tn(s.m, s.n, s.k, s.alpha, buf.a.data(), lda, buf.b.data(), ldb, s.beta, buf.c.data(), s.n);
  if (!ok) abort();
}

void callBlas(const Shape& s, Buffers& buf) {
  const int lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n;
  cblas_sgemm(CblasRowMajor, s.transA ? CblasTrans : CblasNoTrans, s.transB ? CblasTrans : CblasNoTrans, s.m, s.n, s.k,
              s.alpha, buf.a.data(), lda, buf.b.data(), ldb, s.beta, buf.c.data(), s.n);
}

// Register-only FMA loop: the core's floating-point ceiling (FLOP/s if every cycle issued FMAs).
// 12 independent accumulators hide the FMA latency on any current x86 core.
__attribute__((target("avx512f"))) double fmaPeak512(int64_t iters) {
  __m512 acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iters; it++) {
    for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  float out = 0;
  for (int i = 0; i < 12; i++) out += _mm512_reduce_add_ps(acc[i]);
  return out;
}

__attribute__((target("avx2,fma"))) double fmaPeak256(int64_t iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < iters; it++) {
    for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  float out[8], s = 0;
  for (int i = 0; i < 12; i++) {
    _mm256_storeu_ps(out, acc[i]);
    for (float v : out) s += v;
  }
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * (v.size() - 1) + 0.5)];
}

void printCpu() {
  FILE* f = fopen("/proc/cpuinfo", "r");
  char line[4096];
  std::string model = "unknown", flags;
  while (f && fgets(line, sizeof line, f)) {
    if (!strncmp(line, "model name", 10) && model == "unknown") model = strchr(line, ':') + 2;
    if (!strncmp(line, "flags", 5) && flags.empty()) flags = line;
  }
  if (f) fclose(f);
  if (!model.empty() && model.back() == '\n') model.pop_back();
  std::string feats;
  for (const char* w : {" avx2", " fma", " avx512f", " avx512_bf16"}) {
    std::string needle = std::string(w) + " ";
    if (flags.find(needle) != std::string::npos) feats += w;
  }
  printf("cpu: %s x%u (%s); %s\n", model.c_str(), std::thread::hardware_concurrency(), feats.c_str() + 1,
         openblas_get_config());
  printf("openblas core: %s\n", openblas_get_corename());
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 30;
  double blockSeconds = 0.01;
  bool fma = true, samples = false, quiet = false;
  const char* impl = "all";
  const char* only = nullptr;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
    if (!strcmp(argv[i], "--block-ms") && i + 1 < argc) blockSeconds = atof(argv[++i]) / 1000;
    if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    if (!strcmp(argv[i], "--impl") && i + 1 < argc) {
      impl = argv[++i];
    }
    if (!strcmp(argv[i], "--samples")) samples = true;
    if (!strcmp(argv[i], "--quiet")) quiet = true;
    if (!strcmp(argv[i], "--no-fma-ceiling")) fma = false;
  }
  if (!quiet) printCpu();

  // FMA ceiling, 1 and 2 threads (interleaved rounds as below).
  if (fma && !quiet) {
    const int64_t iters = 2000000;
    std::vector<double> r512[2], r256[2];
    for (int r = 0; r < 7; r++) {
      for (int threads = 1; threads <= 2; threads++) {
        for (int w = 0; w < 2; w++) {
          std::vector<std::thread> pool;
          std::atomic<double> sink{0};
          const double t0 = now();
          for (int t = 0; t < threads; t++)
            pool.emplace_back([&, w] { sink = sink + (w ? fmaPeak256(iters) : fmaPeak512(iters)); });
          for (auto& th : pool) th.join();
          const double dt = now() - t0;
          const double flops = static_cast<double>(iters) * 12 * (w ? 8 : 16) * 2 * threads;
          (w ? r256 : r512)[threads - 1].push_back(flops / dt / 1e9);
        }
      }
    }
    printf("FMA ceiling (register-only loop, median of 7): AVX-512 %.0f GFLOP/s 1 thread, %.0f 2 threads; AVX2 %.0f / %.0f\n",
           median(r512[0]), median(r512[1]), median(r256[0]), median(r256[1]));
  }

  struct Config {
    const Shape* shape;
    Impl impl;
    int threads;
    Buffers buf;
    int calls;
    std::vector<double> gflops;
  };
  namespace sg = kernels::sgemm;
  // --impl openblas | own | all: one process should time one of them only, since OpenBLAS's
  // workers keep spinning for ~0.1 s after a threaded call and would take the core the own
  // kernels' second thread needs (sgemmLimit.mjs alternates two processes).
  const bool blas = strcmp(impl, "own") != 0, own = strcmp(impl, "openblas") != 0;
  std::vector<Impl> impls;
  if (blas) impls.push_back(kOpenblas);
  if (own && sg::detectedIsa() == sg::Isa::kAvx512) impls.push_back(kOwn512);
  if (own && sg::detectedIsa() != sg::Isa::kNone) impls.push_back(kOwn256);
  std::vector<Config> configs;
  for (const Shape& s : kShapes) {
    if (only && !strstr(s.name, only)) continue;
    for (Impl impl : impls) {
      if (impl != kOpenblas && s.transA == s.transB) continue;  // own kernels: nt and tn only
      for (int threads = 1; threads <= 2; threads++) configs.push_back({&s, impl, threads, makeBuffers(s), 1, {}});
    }
  }
  auto setup = [](const Config& c) {
    openblas_set_num_threads(c.impl == kOpenblas ? c.threads : 1);
    pool::setThreads(c.threads);
    if (c.impl != kOpenblas) sg::setIsa(c.impl == kOwn512 ? sg::Isa::kAvx512 : sg::Isa::kAvx2);
  };
  auto call = [](Config& c) {
    if (c.impl == kOpenblas) {
      callBlas(*c.shape, c.buf);
    } else {
      callOwn(*c.shape, c.buf);
    }
  };
  // Warm-up and block sizing.
  for (auto& c : configs) {
    setup(c);
    const double t0 = now();
    int calls = 0;
    while (now() - t0 < 0.05 || calls < 3) {
      call(c);
      calls++;
    }
    c.calls = std::max(1, static_cast<int>(blockSeconds / ((now() - t0) / calls)));
  }
  for (int r = 0; r < rounds; r++) {
    for (size_t q = 0; q < configs.size(); q++) {
      Config& c = configs[(q + r) % configs.size()];
      setup(c);
      call(c);  // first call after a thread change pays for waking threads
      const double t0 = now();
      for (int i = 0; i < c.calls; i++) call(c);
      const double perCall = (now() - t0) / c.calls;
      const Shape& s = *c.shape;
      c.gflops.push_back(2.0 * s.m * s.n * s.k / perCall / 1e9);
      if (s.beta == 0.0f) continue;
      // beta != 0 accumulates: keep c bounded by refilling it now and then.
      if (r % 8 == 7) std::fill(c.buf.c.begin(), c.buf.c.end(), 0.25f);
    }
  }
  if (samples) {
    // One line per round and configuration, for sgemmLimit.mjs to merge across processes.
    for (auto& c : configs) {
      const Shape& s = *c.shape;
      for (double g : c.gflops) {
        printf("sample\t%s\t%c%c\t%dx%dx%d\t%s\t%d\t%.3f\n", s.name, s.transA ? 'T' : 'N', s.transB ? 'T' : 'N', s.m, s.n,
               s.k, implName(c.impl), c.threads, g);
      }
    }
    return 0;
  }
  printf("\nsgemm limit: cblas_sgemm (OpenBLAS) and the addon's own kernels (native/src/kernels/sgemm.cc) in a C loop,\n"
         "row-major, float32; %d interleaved rounds of ~%.0f ms per config\n",
         rounds, blockSeconds * 1000);
  printf("| product | op | m x n x k | kernels | threads | median GFLOP/s | p10-p90 | best | median us/call |\n");
  printf("|---|---|---|---|---|---|---|---|---|\n");
  for (auto& c : configs) {
    const Shape& s = *c.shape;
    const double med = median(c.gflops);
    printf("| %s | %c%c | %dx%dx%d | %s | %d | %.1f | %.1f-%.1f | %.1f | %.1f |\n", s.name, s.transA ? 'T' : 'N',
           s.transB ? 'T' : 'N', s.m, s.n, s.k, implName(c.impl), c.threads, med, pct(c.gflops, 0.1),
           pct(c.gflops, 0.9), pct(c.gflops, 1.0), 2.0 * s.m * s.n * s.k / med / 1e3);
  }
  return 0;
}
