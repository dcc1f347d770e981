// Training on the native backend, with the first layer's products on the own kernels (3072 input
// features: large enough for them), is deterministic: the same spec and seed give the same bits
// on 1 and 2 threads, a run resumed from a checkpoint ends exactly like an uninterrupted one, and
// fused trials end exactly like the same trials trained alone (each output of the stacked
// forward product is the same dot product, summed the same way, as in a lone trial's).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadNativeKernels, nativeLoadError, type NativeKernels } from '../../src/nativeKernels/loadNativeKernels.js';
import { makeSyntheticSplits } from '../../src/core/data/synthetic.js';
import { createTraining } from '../../src/core/training/training.js';
import { createTrainingGroup } from '../../src/core/training/trainingGroup.js';
import type { TrainingResult } from '../../src/core/training/metrics.js';
import { parseSpec, type ExperimentSpec } from '../../src/experiment/experimentSpec.js';

const loaded = loadNativeKernels();
const skip = loaded || process.env.TRAINYARD_REQUIRE_NATIVE === '1' ? false : `native addon unavailable: ${nativeLoadError()}`;
const nk = loaded as NativeKernels;

const DATA = { dataset: 'synthetic', trainSize: 600, validationSize: 200, testSize: 200, features: 3072, classes: 10, separation: 5 } as const;

function spec(seed: number, lambda: number, momentum = 0, precision: ExperimentSpec['precision'] = 'float32'): ExperimentSpec {
  const r = parseSpec({
    data: DATA,
    model: { hidden: [50, 50], batchNorm: 'before' },
    training: { batchSize: 100, lambda, momentum, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 12, cycles: 1 }, evalsPerEpoch: 2 },
    precision,
    seed,
    dataSeed: 7,
  });
  assert.ok(r.ok);
  return r.spec;
}

function drain<R>(gen: Generator<unknown, R, void>): R {
  for (;;) {
    const x = gen.next();
    if (x.done) return x.value;
  }
}

/** Everything a run reports, as a string, so equality is bitwise (numbers print exactly). */
const fingerprint = (r: TrainingResult) => JSON.stringify({ points: r.points.map(({ step, train, validation }) => ({ step, train, validation })), test: r.test, train: r.train, validation: r.validation });

test('native training: the same bits on 1 and 2 threads and on a second run; resume is exact; fused trials equal trials alone', { skip }, () => {
  assert.ok(loaded, `TRAINYARD_REQUIRE_NATIVE=1 but ${nativeLoadError()}`);
  const before = nk.getThreads();
  try {
    const data = makeSyntheticSplits(DATA as never, 3);
    const s = spec(1, 0.005);
    const run = (threads: number) => {
      nk.setThreads(threads);
      return fingerprint(drain(createTraining({ spec: s, data, kernels: nk }).run()));
    };
    const one = run(1);
    assert.equal(run(2), one, '2 threads');
    assert.equal(run(2), one, 'a second run');

    // Interrupted after 5 of 24 steps, resumed from the checkpoint.
    const t = createTraining({ spec: s, data, kernels: nk });
    const gen = t.run();
    while (t.stepsDone() < 5) gen.next();
    const resumed = drain(createTraining({ spec: s, data, kernels: nk, resumeFrom: t.checkpoint() }).run());
    assert.equal(fingerprint(resumed), one, 'resumed');

    // A fused group (SGD in the product for the first two, momentum for the third) vs each alone.
    const specs = [spec(1, 0.005), spec(2, 0.01), spec(3, 0.001, 0.9)];
    const fused = drain(createTrainingGroup({ specs, data, kernels: nk }).run());
    specs.forEach((sp, i) => assert.equal(fingerprint(fused[i]), fingerprint(drain(createTraining({ spec: sp, data, kernels: nk }).run())), `trial ${i}`));
    assert.equal(fingerprint(fused[0]), one);
    assert.notEqual(fingerprint(fused[0]), fingerprint(fused[1]), 'the trials must differ for this to mean anything');
    assert.ok(fused[0].test.accuracy > 0.15, `the run must learn (${fused[0].test.accuracy})`);
  } finally {
    nk.setThreads(before);
  }
});

test('float64 products and training: the same bits on 1 and 2 threads (OpenBLAS, which does them, stays on one)', { skip }, () => {
  const before = nk.getThreads();
  try {
    // A product OpenBLAS splits over threads when it may: 2 threads summed 7,858 of these differently.
    const [m, n, k] = [300, 200, 500];
    const a = nk.allocate('float64', m * k);
    const b = nk.allocate('float64', k * n);
    for (let i = 0; i < a.length; i++) a[i] = Math.sin(i);
    for (let i = 0; i < b.length; i++) b[i] = Math.cos(3 * i);
    const product = (threads: number) => {
      nk.setThreads(threads);
      const c = nk.allocate('float64', m * n);
      nk.gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
      return Array.from(c);
    };
    assert.deepEqual(product(2), product(1), 'gemm 300x200x500');

    const data = makeSyntheticSplits(DATA as never, 3);
    const s = spec(1, 0.005, 0, 'float64');
    const run = (threads: number) => {
      nk.setThreads(threads);
      return fingerprint(drain(createTraining({ spec: s, data, kernels: nk }).run()));
    };
    assert.equal(run(2), run(1), 'a float64 run');
  } finally {
    nk.setThreads(before);
  }
});

test('bfloat16 training: the same bits on 1 and 2 threads, resume is exact, fused trials equal trials alone, and it is not float32', { skip }, () => {
  const before = nk.getThreads();
  try {
    const data = makeSyntheticSplits(DATA as never, 3);
    const s = spec(1, 0.005, 0, 'bfloat16');
    const run = (threads: number) => {
      nk.setThreads(threads);
      return fingerprint(drain(createTraining({ spec: s, data, kernels: nk }).run()));
    };
    const one = run(1);
    assert.equal(run(2), one, '2 threads');
    const t = createTraining({ spec: s, data, kernels: nk });
    const gen = t.run();
    while (t.stepsDone() < 5) gen.next();
    assert.equal(fingerprint(drain(createTraining({ spec: s, data, kernels: nk, resumeFrom: t.checkpoint() }).run())), one, 'resumed');

    const specs = [spec(1, 0.005, 0, 'bfloat16'), spec(2, 0.01, 0, 'bfloat16'), spec(3, 0.001, 0.9, 'bfloat16')];
    const fused = drain(createTrainingGroup({ specs, data, kernels: nk }).run());
    specs.forEach((sp, i) => assert.equal(fingerprint(fused[i]), fingerprint(drain(createTraining({ spec: sp, data, kernels: nk }).run())), `trial ${i}`));
    assert.equal(fingerprint(fused[0]), one);

    const f32 = drain(createTraining({ spec: spec(1, 0.005), data, kernels: nk }).run());
    const bf = drain(createTraining({ spec: s, data, kernels: nk }).run());
    assert.notEqual(bf.test.loss, f32.test.loss, 'bfloat16 must not silently train in float32');
    assert.ok(Math.abs(bf.test.accuracy - f32.test.accuracy) <= 0.05, `bfloat16 ${bf.test.accuracy} vs float32 ${f32.test.accuracy}`);
  } finally {
    nk.setThreads(before);
  }
});
