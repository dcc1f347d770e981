// Quick measurement of the native backend: gemm GFLOP/s on the training shapes and the fixed
// cost of one addon call, with 1 and 2 OpenBLAS threads.
//   npm run build:native && npx tsc -p . && node dist/bench/nativeKernelsBench.js
import { loadNativeKernels, nativeLoadError } from '../src/nativeKernels/loadNativeKernels.js';
import type { Kernels, Precision, Vec } from '../src/core/kernels/kernels.js';
import { tsKernels } from '../src/core/kernels/tsKernels.js';

const nk = loadNativeKernels();
if (!nk) {
  console.error(`native backend unavailable: ${nativeLoadError()}`);
  process.exit(1);
}

function filled(p: Precision, n: number): Vec {
  const v = p === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37) * 0.1;
  return v;
}

/** Median seconds per call over `batches` batches of at least minSeconds / batches each. */
function time(fn: () => void, minSeconds = 0.6, batches = 7): number {
  for (let i = 0; i < 3; i++) fn();
  let reps = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (dt >= minSeconds / batches) break;
    reps *= 2;
  }
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    per.push(Number(process.hrtime.bigint() - t0) / 1e9 / reps);
  }
  per.sort((x, y) => x - y);
  return per[Math.floor(batches / 2)];
}

interface Shape {
  name: string;
  ta: boolean;
  tb: boolean;
  m: number;
  n: number;
  k: number;
}

const SHAPES: Shape[] = [
  { name: 'forward  X(100x3072) W^T, W 50x3072  ', ta: false, tb: true, m: 100, n: 50, k: 3072 },
  { name: 'dW       G(100x50)^T X(100x3072)      ', ta: true, tb: false, m: 50, n: 3072, k: 100 },
  { name: 'forward  X(100x3072) W^T, W 400x3072 ', ta: false, tb: true, m: 100, n: 400, k: 3072 },
];

function gemmRate(kernels: Kernels, p: Precision, s: Shape, minSeconds?: number): number {
  const a = filled(p, s.m * s.k);
  const b = filled(p, s.k * s.n);
  const c = filled(p, s.m * s.n);
  const lda = s.ta ? s.m : s.k;
  const ldb = s.tb ? s.k : s.n;
  const sec = time(() => kernels.gemm(s.ta, s.tb, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n), minSeconds);
  return (2 * s.m * s.n * s.k) / sec / 1e9;
}

const info = nk.info();
console.log(`${info.blas}\ncore ${info.coretype}, ${info.procs} CPUs, default ${info.threads} threads\n`);

const defaultThreads = nk.getThreads();
for (const threads of [1, 2]) {
  nk.setThreads(threads);
  console.log(`--- ${nk.detail}`);
  for (const p of ['float32', 'float64'] as Precision[]) {
    for (const s of SHAPES) console.log(`  ${p === 'float32' ? 'sgemm' : 'dgemm'} ${s.name} ${gemmRate(nk, p, s).toFixed(1).padStart(7)} GFLOP/s`);
  }
  // Fixed cost of one call: the smallest possible work, so the time is argument checking + call.
  const w32 = new Float32Array(64);
  const g32 = new Float32Array(64);
  const out32 = new Float32Array(64);
  const a1 = new Float32Array(1);
  const c1 = new Float32Array(1);
  const perCall: [string, () => void][] = [
    ['sumSquares(1)                 ', () => nk.sumSquares(1, w32)],
    ['colSum(1 x 1)                 ', () => nk.colSum(1, 1, g32, 1, out32)],
    ['sgdStep(1, momentum)          ', () => nk.sgdStep(1, w32, g32, out32, 0.01, 0.9, 0)],
    ['gemm 1x1x1 (13 args, BLAS)    ', () => nk.gemm(false, false, 1, 1, 1, 1, a1, 1, a1, 1, 0, c1, 1)],
    ['gemm m=0 (13 args, no BLAS)   ', () => nk.gemm(false, false, 0, 1, 1, 1, a1, 1, a1, 1, 0, c1, 1)],
  ];
  for (const [name, fn] of perCall) console.log(`  call ${name} ${(time(fn, 0.3) * 1e9).toFixed(0).padStart(6)} ns`);
  console.log();
}
nk.setThreads(defaultThreads);

console.log('--- elementwise kernels on training sizes, native vs TypeScript (float32)');
{
  const f = (n: number) => filled('float32', n);
  const [w, g, v] = [f(153600), f(153600), f(153600)];
  const src = new Uint8Array(1000 * 3072).map((_, i) => i * 7);
  const rows = Int32Array.from({ length: 100 }, (_, i) => (i * 37) % 1000);
  const [mean, inv, x] = [f(3072), f(3072), f(100 * 3072)];
  const [s, gm, bt, mu, vr, sh, out] = [f(5000), f(50), f(50), f(50), f(50), f(5000), f(5000)];
  const cases: [string, (k: Kernels) => void][] = [
    ['sgdStep 153600, momentum     ', (k) => k.sgdStep(153600, w, g, v, 1e-9, 0.9, 0)],
    ['gatherNormalize 100 x 3072   ', (k) => k.gatherNormalize(100, 3072, src, rows, mean, inv, x)],
    ['batchNormForward 100 x 50    ', (k) => k.batchNormForward(100, 50, s, gm, bt, 1e-5, mu, vr, sh, out)],
    ['activationForward relu 5000  ', (k) => k.activationForward(0, 0, 5000, s, out)],
    ['sumSquares 153600            ', (k) => k.sumSquares(153600, w)],
  ];
  for (const [name, fn] of cases) {
    const tn = time(() => fn(nk), 0.3) * 1e6;
    const tt = time(() => fn(tsKernels), 0.3) * 1e6;
    console.log(`  ${name} native ${tn.toFixed(1).padStart(7)} us   ts ${tt.toFixed(1).padStart(7)} us`);
  }
  console.log();
}

console.log('--- for comparison: TypeScript kernels (single thread)');
for (const s of SHAPES.slice(0, 2)) console.log(`  ts f32 ${s.name} ${gemmRate(tsKernels, 'float32', s, 0.3).toFixed(2).padStart(7)} GFLOP/s`);
const w = new Float32Array(64);
console.log(`  call sumSquares(1) (ts)        ${(time(() => tsKernels.sumSquares(1, w), 0.3) * 1e9).toFixed(0).padStart(6)} ns`);
