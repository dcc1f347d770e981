// `node dist/bench/fusedBench.js --data DIR [--trials 8] [--rounds 3] [--threads N]` (issue 11, target 3):
// how close an 8-trial fused epoch's first-layer products (3072-50-50-10 BN, 45,000 images, batch
// 100, float32, native) come to the sgemm peak. Each round trains one epoch with every
// first-layer product timed (the stacked forward S = X W^T, N = 8 x 50, and each trial's
// weight-gradient product with its SGD update), then, right after and on the same threads, times
// the same calls in a tight loop (the limit at these shapes) and OpenBLAS's 1024^3 sgemm (the
// machine's sgemm peak). Prints GFLOP/s of each and the fraction in training of the best limit.
import { cpus, loadavg } from 'node:os';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import { loadNativeKernels } from '../src/nativeKernels/loadNativeKernels.js';
import type { Kernels, Vec } from '../src/core/kernels/kernels.js';
import { createTrainingGroup } from '../src/core/training/trainingGroup.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { parseSpec, type ExperimentSpec } from '../src/experiment/experimentSpec.js';
import { cpuDescription } from './cpuDescription.js';
import { benchArgs } from './benchArgs.js';

const values = benchArgs(import.meta.url, { data: { type: 'string' }, trials: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' }, threads: { type: 'string' } });
const dataDir = values.data ?? process.env.CIFAR10_DIR;
const T = Number(values.trials);
const rounds = Number(values.rounds);
const data45k = dataDir
  ? { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], holdout: 5000 }
  : { dataset: 'synthetic', trainSize: 45000, validationSize: 5000, testSize: 1000, features: 3072, classes: 10 };
const spec = (input: unknown): ExperimentSpec => {
  const r = parseSpec(input);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
};
const specs = Array.from({ length: T }, (_, t) =>
  spec({ data: data45k, model: { hidden: [50, 50], batchNorm: 'before' }, training: { batchSize: 100, lambda: 0.001 * (t + 1), schedule: { kind: 'constant', eta: 0.01, epochs: rounds + 1 }, evalsPerEpoch: 0, evalSamples: 100 }, seed: 1 + t, dataSeed: 1 }),
);
const { kernels } = selectKernels({ backend: 'native', threads: values.threads ? Number(values.threads) : undefined });
const nk = loadNativeKernels()!;
const data = loadDataset(specs[0], dataDir);
const d = data.train.d;

/** A first-layer product: k = d (forward) or n = d (weight gradient). */
const firstLayer = (m: number, n: number, k: number) => k === d || n === d;
const totals = new Map<string, { ms: number; calls: number; flop: number }>();
let timing = false;
const timed: Kernels = {
  ...kernels,
  backend: kernels.backend,
  detail: kernels.detail,
  gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
    // Evaluation runs in chunks of 500 rows: not update time.
    if (!timing || !firstLayer(m, n, k) || m === 500) return kernels.gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    const t0 = performance.now();
    kernels.gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    const key = `${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}x${n}x${k}`;
    const e = totals.get(key) ?? { ms: 0, calls: 0, flop: 0 };
    e.ms += performance.now() - t0;
    e.calls++;
    e.flop += 2 * m * n * k;
    totals.set(key, e);
  },
};
for (const name of Object.keys(kernels) as (keyof Kernels)[]) {
  const f = kernels[name];
  if (typeof f === 'function' && name !== 'gemm') (timed as unknown as Record<string, unknown>)[name] = (f as (...a: unknown[]) => unknown).bind(kernels);
}

/** GFLOP/s of `call` repeated for about `ms` milliseconds. */
function loop(flop: number, ms: number, call: () => void): number {
  call();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    call();
    n++;
  }
  return (n * flop) / ((performance.now() - t0) * 1e6);
}

const B = 100;
const X = nk.allocate('float32', B * d) as Float32Array;
const Wall = nk.allocate('float32', T * 50 * d) as Float32Array;
const S = new Float32Array(B * T * 50);
const G = new Float32Array(B * 50).fill(1e-3);
const A = new Float32Array(1024 * 1024).fill(0.5);
const C = new Float32Array(1024 * 1024);
const fill = (v: Vec) => {
  for (let i = 0; i < v.length; i++) v[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
};
fill(X);
fill(Wall);

// The epoch is measured in tenths (45 steps); after each tenth, the limit is measured in short
// bursts, so the two sides of every ratio are at most a few tens of milliseconds apart (the
// machine's load changes within seconds).
const gen = createTrainingGroup({ specs, data, kernels: timed }).run();
let stepsSeen = 0;
/** Runs `steps` update steps; returns false when training ended. */
const advance = (steps: number): boolean => {
  const target = stepsSeen + steps;
  for (let e = gen.next(); !e.done; e = gen.next()) {
    if (e.value.kind === 'step') stepsSeen = e.value.step;
    if (stepsSeen >= target && e.value.kind === 'step') return true;
  }
  return false;
};
const spe = 450;
advance(spe); // warm-up epoch
const rows: { products: number; flop: number; fwd: number; dw: number; peak: number }[] = [];
for (let r = 0; r < rounds * 10; r++) {
  totals.clear();
  timing = true;
  if (!advance(spe / 10)) break;
  timing = false;
  const ms = [...totals.values()].reduce((s, e) => s + e.ms, 0);
  const flop = [...totals.values()].reduce((s, e) => s + e.flop, 0);
  const fwd = loop(2 * B * T * 50 * d, 30, () => kernels.gemm(false, true, B, T * 50, d, 1, X, d, Wall, d, 0, S, T * 50));
  const dw = loop(2 * T * 50 * d * B, 30, () => {
    for (let t = 0; t < T; t++) kernels.gemm(true, false, 50, d, B, -1e-3, G, 50, X, d, 0.9999, Wall.subarray(t * 50 * d, (t + 1) * 50 * d), d);
  });
  nk.setSgemm('openblas');
  const peak = loop(2 * 1024 ** 3, 60, () => kernels.gemm(false, false, 1024, 1024, 1024, 1, A, 1024, A, 1024, 0, C, 1024));
  nk.setSgemm('auto');
  rows.push({ products: ms, flop, fwd, dw, peak });
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`# fused first-layer products: ${T} trials, 3072-50-50-10 BN, 45,000 images, batch 100, float32`);
console.log(`cpu ${cpuDescription()}, load ${loadavg()[0].toFixed(2)}; ${kernels.detail}`);
console.log(`timed calls per tenth of an epoch: ${[...totals.entries()].map(([k, e]) => `${e.calls} x ${k}`).join(", ")}`);
console.log(`${rows.length} tenths of an epoch, each followed by its limit measurement (medians over them, p10-p90 in brackets):`);
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.round(p * (xs.length - 1))];
const show = (xs: number[], digits = 1, unit = '') => `${q(xs, 0.5).toFixed(digits)}${unit} (${q(xs, 0.1).toFixed(digits)}-${q(xs, 0.9).toFixed(digits)})`;
const inTraining = rows.map((r) => r.flop / (r.products * 1e6));
const loopBoth = rows.map((r) => (r.fwd + r.dw) / 2);
const fractionPeak = rows.map((r, i) => inTraining[i] / Math.max(r.peak, loopBoth[i]));
const fractionLoop = rows.map((r, i) => inTraining[i] / loopBoth[i]);
console.log('| | GFLOP/s |');
console.log('|---|---|');
console.log(`| first-layer products in training | ${show(inTraining)} |`);
console.log(`| loop: forward, N = ${T} x 50 | ${show(rows.map((r) => r.fwd))} |`);
console.log(`| loop: ${T} weight-gradient products with update | ${show(rows.map((r) => r.dw))} |`);
console.log(`| OpenBLAS 1024^3 sgemm | ${show(rows.map((r) => r.peak))} |`);
console.log(`fraction of the measured sgemm peak (the larger of OpenBLAS 1024^3 and the same products in a loop): ${show(fractionPeak.map((f) => 100 * f), 0, ' %')} (target >= 70 %)`);
console.log(`fraction of the same products in a loop: ${show(fractionLoop.map((f) => 100 * f), 0, ' %')}`);
