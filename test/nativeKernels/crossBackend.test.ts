// The same spec trained on the TypeScript and the native backend ends within 0.5 accuracy points.
// Results are not bit-identical: OpenBLAS sums each dot product in a different order (blocked,
// vectorised, fused multiply-adds), so float32 rounding differs from step one and the two runs
// drift apart like runs on two machines would; the elementwise kernels agree exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNativeKernels, nativeLoadError } from '../../src/nativeKernels/loadNativeKernels.js';
import { makeSyntheticSplits } from '../../src/core/data/synthetic.js';
import { tsKernels } from '../../src/core/kernels/tsKernels.js';
import type { Kernels } from '../../src/core/kernels/kernels.js';
import { createTraining } from '../../src/core/training/training.js';
import type { TrainingResult } from '../../src/core/training/metrics.js';
import { parseSpec } from '../../src/experiment/experimentSpec.js';

const native = loadNativeKernels();
const skip = native || process.env.TRAINYARD_REQUIRE_NATIVE === '1' ? false : `native addon unavailable: ${nativeLoadError()}`;

const input = {
  data: { dataset: 'synthetic', trainSize: 3000, validationSize: 1000, testSize: 4000, features: 3072, classes: 10, separation: 3 },
  model: { hidden: [50, 50], batchNorm: 'before' },
  training: { batchSize: 100, lambda: 0.005, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 60, cycles: 2 }, evalsPerEpoch: 2 },
  precision: 'float32',
  seed: 3,
};

function train(kernels: Kernels, precision = 'float32'): TrainingResult {
  const r = parseSpec({ ...input, precision });
  assert.ok(r.ok);
  const data = makeSyntheticSplits(r.spec.data as never, r.spec.seed);
  const gen = createTraining({ spec: r.spec, data, kernels }).run();
  for (;;) {
    const x = gen.next();
    if (x.done) return x.value;
  }
}

test('the TypeScript and native backends train the same spec to within 0.5 accuracy points', { skip }, () => {
  assert.ok(native, `TRAINYARD_REQUIRE_NATIVE=1 but ${nativeLoadError()}`);
  const a = train(tsKernels);
  const b = train(native);
  assert.ok(a.test.accuracy > 0.3, `the run must learn something to be a meaningful comparison (${a.test.accuracy})`);
  const diff = Math.abs(a.test.accuracy - b.test.accuracy) * 100;
  assert.ok(diff <= 0.5, `test accuracy ts ${(100 * a.test.accuracy).toFixed(2)} % vs native ${(100 * b.test.accuracy).toFixed(2)} %`);
  assert.ok(Math.abs(a.validation.accuracy - b.validation.accuracy) * 100 <= 0.5);
  assert.notEqual(a.test.loss, b.test.loss, 'if they were bit-identical the backends would not both be exercised');
});

test('bfloat16: the TypeScript oracle (rounded operands, float32 product) and native vdpbf16ps train to within 0.5 accuracy points', { skip }, () => {
  assert.ok(native, `TRAINYARD_REQUIRE_NATIVE=1 but ${nativeLoadError()}`);
  const a = train(tsKernels, 'bfloat16');
  const b = train(native, 'bfloat16');
  assert.ok(a.test.accuracy > 0.3, `the run must learn something (${a.test.accuracy})`);
  assert.ok(Math.abs(a.test.accuracy - b.test.accuracy) * 100 <= 0.5, `test accuracy ts ${(100 * a.test.accuracy).toFixed(2)} % vs native ${(100 * b.test.accuracy).toFixed(2)} %`);
  assert.ok(Math.abs(a.validation.accuracy - b.validation.accuracy) * 100 <= 0.5);
});
