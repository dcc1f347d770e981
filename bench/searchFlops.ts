// The arithmetic a search's runs asked of the first layer (3072 x n1: over 95 % of all of it),
// split into training (forward and weight-gradient products of every update) and evaluation
// (every recorded point: the subsets between epoch ends, the full train and validation sets at
// each epoch end, the test set once), and the time it takes at a measured product rate.
import { layerSizes, parseSpec, resolvedHoldout, stepsPerEpoch, totalEpochs, totalUpdates, trainingSampleCount } from '../src/experiment/experimentSpec.js';
import type { NativeKernels } from '../src/nativeKernels/loadNativeKernels.js';

export interface Flops {
  training: number;
  evaluation: number;
}

export function runFlops(specInput: unknown): Flops {
  const parsed = parseSpec(specInput);
  if (!parsed.ok) throw new Error('not a valid spec');
  const spec = parsed.spec;
  const [d, n1] = layerSizes(spec);
  const perRow = 2 * d * n1;
  const B = spec.training.batchSize;
  const trainN = trainingSampleCount(spec);
  const valN = spec.data.dataset === 'cifar10' ? resolvedHoldout(spec) || (spec.data.validation?.length ?? 0) * 10_000 : spec.data.validationSize;
  const testN = spec.data.dataset === 'cifar10' ? spec.data.test.length * 10_000 : spec.data.testSize;
  const S = spec.training.evalSamples;
  const epochs = totalEpochs(spec);
  const between = Math.max(0, Math.min(spec.training.evalsPerEpoch, stepsPerEpoch(spec)) - 1);
  return {
    training: totalUpdates(spec) * 2 * B * perRow,
    evaluation: perRow * (epochs * (trainN + valN + between * (Math.min(S, trainN) + Math.min(S, valN))) + testN),
  };
}

export function sumFlops(all: Flops[]): Flops {
  return all.reduce((s, f) => ({ training: s.training + f.training, evaluation: s.evaluation + f.evaluation }), { training: 0, evaluation: 0 });
}

/**
 * GFLOP/s of the first layer's two training products as a fused group of `trials` runs them
 * (100 x 50t x 3072 forward, its 50t x 3072 x 100 weight gradient) and of an evaluation product
 * (500 rows, same group), `threads` threads: medians. Fused shapes run faster than one trial's,
 * so a limit priced at them is the stricter one.
 */
export function productRates(k: NativeKernels, threads: number, trials = 5, ms = 600, precision = 'float32'): { forward: number; weightGradient: number; evaluation: number } {
  // bfloat16 runs the first layer's products on gemmBf16 (same arguments): its limit is priced at its own rates.
  const gemm = precision === 'bfloat16' ? k.gemmBf16 : k.gemm;
  const was = k.getThreads();
  k.setThreads(threads);
  const time = (m: number, n: number, kk: number, transA: boolean, transB: boolean) => {
    const a = k.allocate('float32', m * kk);
    const b = k.allocate('float32', kk * n);
    const c = k.allocate('float32', m * n);
    a.fill(0.5);
    b.fill(0.25);
    const rates: number[] = [];
    const end = performance.now() + ms;
    while (performance.now() < end) {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) gemm(transA, transB, m, n, kk, 1, a, transA ? m : kk, b, transB ? kk : n, 0, c, n);
      rates.push((20 * 2 * m * n * kk) / ((performance.now() - t0) / 1000) / 1e9);
    }
    return rates.sort((x, y) => x - y)[Math.floor(rates.length / 2)];
  };
  const n = 50 * trials;
  const r = { forward: time(100, n, 3072, false, true), weightGradient: time(n, 3072, 100, true, false), evaluation: time(500, n, 3072, false, true) };
  k.setThreads(was);
  return r;
}

/** Seconds the products take at those rates: training is half forward, half weight gradient. */
export function limitSeconds(f: Flops, r: { forward: number; weightGradient: number; evaluation: number }): { training: number; total: number } {
  const training = f.training / 2 / (r.forward * 1e9) + f.training / 2 / (r.weightGradient * 1e9);
  return { training, total: training + f.evaluation / (r.evaluation * 1e9) };
}
