// GFLOP/s of gemm (fast) against gemmReference for the shapes training uses
// (batch 100, network 3072-50-50-10), in float32 and float64.
// Run: npx tsc -p . && node dist/bench/gemmBench.js [--quick] [--only=substring]
// Each figure is the median of several timed repetitions after a warm-up; one repetition runs the
// call enough times to last at least REP_MS, so timer resolution does not matter.
import { loadavg } from 'node:os';
import { gemm, gemmReference } from '../src/core/kernels/tsGemm.js';
import type { Vec } from '../src/core/kernels/kernels.js';

type GemmFn = typeof gemm;

interface Shape {
  name: string;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  beta: number;
  /** Part of one training step (batch 100), as opposed to an evaluation pass. */
  step: boolean;
}

const B = 100;
const SHAPES: Shape[] = [
  { name: 'fwd L1   S=X·W^T', transA: false, transB: true, m: B, n: 50, k: 3072, beta: 1, step: true },
  { name: 'dW L1    G^T·X', transA: true, transB: false, m: 50, n: 3072, k: B, beta: 0, step: true },
  { name: 'dH L1    G·W', transA: false, transB: false, m: B, n: 50, k: 50, beta: 0, step: true },
  { name: 'fwd L2   H·W^T', transA: false, transB: true, m: B, n: 50, k: 50, beta: 1, step: true },
  { name: 'fwd L3   H·W^T', transA: false, transB: true, m: B, n: 10, k: 50, beta: 1, step: true },
  { name: 'dW L2    G^T·H', transA: true, transB: false, m: 50, n: 50, k: B, beta: 0, step: true },
  { name: 'dW L3    G^T·H', transA: true, transB: false, m: 10, n: 50, k: B, beta: 0, step: true },
  { name: 'dH L2    G·W', transA: false, transB: false, m: B, n: 50, k: 10, beta: 0, step: true },
  { name: 'eval L1  m=10000', transA: false, transB: true, m: 10000, n: 50, k: 3072, beta: 1, step: false },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((s) => s.startsWith('--only='))?.slice('--only='.length);
const REPS = quick ? 5 : 9;
const REP_MS = quick ? 30 : 80;
const WARM_MS = quick ? 100 : 300;

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function fill(v: Vec, seed: number): void {
  // Deterministic values in [-1, 1): the data do not affect speed, but keep them finite and varied.
  let s = seed >>> 0;
  for (let i = 0; i < v.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2147483648 - 1;
  }
}

function measure(fn: GemmFn, sh: Shape, Arr: Float32ArrayConstructor | Float64ArrayConstructor, slow: boolean): number {
  // A slow call (the reference on 10,000 rows takes seconds) gets a short warm-up and 3 repetitions.
  const reps = slow ? 3 : REPS;
  const warmMs = slow ? 0 : WARM_MS;
  const { transA, transB, m, n, k, beta } = sh;
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const a = new Arr((transA ? k : m) * lda);
  const b = new Arr((transB ? n : k) * ldb);
  const c = new Arr(m * n);
  fill(a, 1);
  fill(b, 2);
  fill(c, 3);
  const flops = 2 * m * n * k;
  const call = (): void => fn(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, n);
  // Warm up (lets V8 tier up to optimised code) and size one repetition.
  let calls = 0;
  const t0 = now();
  while (now() - t0 < warmMs || calls < (slow ? 1 : 3)) {
    call();
    calls++;
    if (beta === 1 && calls % 64 === 0) fill(c, 3); // keep beta = 1 accumulations bounded
  }
  const perCall = (now() - t0) / calls;
  const iters = Math.max(1, Math.ceil(REP_MS / perCall));
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    if (beta === 1) fill(c, 3);
    const t = now();
    for (let i = 0; i < iters; i++) call();
    const ms = (now() - t) / iters;
    rates.push(flops / (ms * 1e6));
  }
  rates.sort((x, y) => x - y);
  return rates[Math.floor(rates.length / 2)];
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + ' '.repeat(w - s.length);
}
function lpad(s: string, w: number): string {
  return s.length >= w ? s : ' '.repeat(w - s.length) + s;
}

console.log(`node ${process.version}, ${REPS} reps x >= ${REP_MS} ms each, median GFLOP/s; load average ${loadavg()[0].toFixed(2)}`);
const header = `${pad('shape', 18)} ${pad('m x n x k', 16)} ${pad('op', 5)} ${lpad('f32 ref', 8)} ${lpad('f32 fast', 9)} ${lpad('x', 6)} ${lpad('f64 ref', 8)} ${lpad('f64 fast', 9)} ${lpad('x', 6)}`;
console.log(header);
console.log('-'.repeat(header.length));
// Milliseconds of gemm per training step (the shapes marked step), per precision and implementation.
const stepMs: Record<string, number> = {};
for (const sh of SHAPES) {
  if (only && !sh.name.includes(only)) continue;
  const cells: string[] = [];
  for (const Arr of [Float32Array, Float64Array]) {
    // The reference is slow on the 10,000-row shape: measured briefly, and skipped in quick mode.
    const big = sh.m >= 10000;
    const ref = quick && big ? NaN : measure(gemmReference, sh, Arr, big);
    const fast = measure(gemm, sh, Arr, false);
    cells.push(lpad(ref.toFixed(2), 8), lpad(fast.toFixed(2), 9), lpad((fast / ref).toFixed(1), 6));
    if (sh.step) {
      const gflop = (2 * sh.m * sh.n * sh.k) / 1e9;
      stepMs[`${Arr.name} ref`] = (stepMs[`${Arr.name} ref`] ?? 0) + gflop / ref * 1e3;
      stepMs[`${Arr.name} fast`] = (stepMs[`${Arr.name} fast`] ?? 0) + gflop / fast * 1e3;
    }
  }
  const op = `${sh.transA ? 'T' : 'N'}${sh.transB ? 'T' : 'N'}`;
  console.log(`${pad(sh.name, 18)} ${pad(`${sh.m}x${sh.n}x${sh.k}`, 16)} ${pad(op, 5)} ${cells.join(' ')}`);
}
if (!only) {
  const f = (key: string): string => (stepMs[key] ?? NaN).toFixed(2);
  console.log(`gemm time per training step (the 8 batch-100 shapes): float32 ${f('Float32Array ref')} -> ${f('Float32Array fast')} ms, float64 ${f('Float64Array ref')} -> ${f('Float64Array fast')} ms`);
}
console.log(`load average at the end ${loadavg()[0].toFixed(2)} (other processes on this 2-core machine skew the figures; rerun if high)`);
