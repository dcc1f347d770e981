// `node dist/bench/bf16Bench.js [--rounds N]`: GFLOP/s of the first layer's products in float32
// (gemm, the own kernels) and in bfloat16 (gemmBf16: vdpbf16ps with the operands converted in
// every call, as training calls it), on 1 and 2 threads. Rounds alternate float32 and bfloat16
// call by call, so each ratio's two sides are milliseconds apart; medians and ranges over rounds.
import { loadNativeKernels, nativeLoadError } from '../src/nativeKernels/loadNativeKernels.js';
import { cpuDescription } from './cpuDescription.js';
import { benchArgs } from './benchArgs.js';

const values = benchArgs(import.meta.url, { rounds: { type: 'string', default: '7' } });
const k = loadNativeKernels();
if (!k) {
  console.error(`bf16 bench needs the native addon: ${nativeLoadError()}`);
  process.exit(2);
}

// [label, transA (tn), m, n, k]: the fused 5-trial forward and evaluation products, one trial's forward and its weight gradient.
const SHAPES: [string, boolean, number, number, number][] = [
  ['forward, 5 fused trials (NT 100x250x3072)', false, 100, 250, 3072],
  ['evaluation, 5 fused trials (NT 500x250x3072)', false, 500, 250, 3072],
  ['forward, one trial (NT 100x50x3072)', false, 100, 50, 3072],
  ['weight gradient with the update (TN 50x3072x100)', true, 50, 3072, 100],
];

function rate(kind: 'float32' | 'bfloat16', [, tn, m, n, kk]: (typeof SHAPES)[number]): number {
  const a = k!.allocate('float32', m * kk);
  const b = k!.allocate('float32', n * kk);
  const c = k!.allocate('float32', m * n);
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(i);
  for (let i = 0; i < b.length; i++) b[i] = Math.cos(i);
  const [lda, ldb] = tn ? [m, n] : [kk, kk];
  const gemm = kind === 'float32' ? k!.gemm : k!.gemmBf16;
  const reps = Math.max(5, Math.round(1e9 / (2 * m * n * kk)));
  gemm(tn, !tn, m, n, kk, 1, a, lda, b, ldb, 0.5, c, n);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) gemm(tn, !tn, m, n, kk, 1, a, lda, b, ldb, 0.5, c, n);
  return (reps * 2 * m * n * kk) / ((performance.now() - t0) / 1000) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;

console.log(`# bf16 products, ${new Date().toISOString()}, ${cpuDescription()}, gemmBf16 on ${k.info().bf16}`);
console.log('| product | threads | float32 GFLOP/s | bfloat16 GFLOP/s | bf16 / f32, median of per-round ratios (range) |');
console.log('|---|---|---|---|---|');
const before = k.getThreads();
for (const threads of [1, 2]) {
  k.setThreads(threads);
  for (const shape of SHAPES) {
    const f32: number[] = [];
    const bf: number[] = [];
    for (let r = 0; r < Number(values.rounds); r++) {
      f32.push(rate('float32', shape));
      bf.push(rate('bfloat16', shape));
    }
    const ratios = bf.map((x, i) => x / f32[i]);
    console.log(`| ${shape[0]} | ${threads} | ${median(f32).toFixed(0)} (${range(f32)}) | ${median(bf).toFixed(0)} (${range(bf)}) | ${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}) |`);
  }
}
k.setThreads(before);
