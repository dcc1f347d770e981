import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradientCheck } from '../../../src/core/gradcheck/gradientCheck.js';
import { tsKernels } from '../../../src/core/kernels/tsKernels.js';
import { createRng, nextGaussian, nextInt } from '../../../src/core/random.js';
import { parseSpec, type ExperimentSpec } from '../../../src/experiment/experimentSpec.js';

function specFor(hidden: number[], batchNorm: string, activation: string): ExperimentSpec {
  const r = parseSpec({
    data: { dataset: 'synthetic' },
    model: { hidden, batchNorm, activation: activation === 'relu' ? { kind: 'relu' } : { kind: activation, alpha: 0.01 } },
    training: { lambda: 0.01 },
    precision: 'float64',
    seed: 3,
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.spec;
}

function input(m: number, d: number, classes: number) {
  const r = createRng(99);
  const X = new Float64Array(m * d);
  for (let i = 0; i < X.length; i++) X[i] = nextGaussian(r);
  const labels = new Uint8Array(m);
  for (let i = 0; i < m; i++) labels[i] = nextInt(r, classes);
  return { X, labels, d, m, classes };
}

const architectures = [[], [12], [12, 9], [12, 9, 7]];
const placements = ['none', 'before', 'after'];
const activations = ['relu', 'leakyRelu', 'elu'];

for (const hidden of architectures) {
  for (const bn of placements) {
    if (hidden.length === 0 && bn !== 'none') continue;
    for (const act of activations) {
      test(`centred differences match analytic gradients: ${hidden.length + 1} layers, batch norm ${bn}, ${act}`, () => {
        const res = gradientCheck(tsKernels, specFor(hidden, bn, act), input(8, 15, 10), { features: 15, samples: 8, h: 1e-5, method: 'centred' });
        const names = res.tensors.map((t) => t.name);
        assert.ok(names.includes('W1') && names.includes(`W${hidden.length + 1}`));
        if (bn !== 'none') assert.ok(names.includes('gamma1') && names.includes('beta1'));
        for (const t of res.tensors) {
          assert.ok(t.analyticNorm > 0, `${t.name} has a zero gradient: the check would be vacuous`);
          assert.ok(t.relError <= 1e-6, `${t.name}: relative error ${t.relError}`);
        }
        assert.equal(res.maxRelError, Math.max(...res.tensors.map((t) => t.relError)));
      });
    }
  }
}

test('the check detects a wrong gradient', () => {
  const spec = specFor([12], 'before', 'relu');
  const tampered = { ...tsKernels, colSum: tsKernels.colSum, batchNormBackward: (...a: Parameters<typeof tsKernels.batchNormBackward>) => {
    tsKernels.batchNormBackward(...a);
    a[7][0] *= 1.01; // dgamma of the first unit off by 1 %
  } };
  const res = gradientCheck(tampered, spec, input(8, 15, 10), { features: 15, samples: 8, h: 1e-5, method: 'centred' });
  const gamma = res.tensors.find((t) => t.name === 'gamma1')!;
  assert.ok(gamma.relError > 1e-4, `tampered gamma1 not detected: ${gamma.relError}`);
});

test('forward differences are less accurate than centred ones but still close', () => {
  const spec = specFor([12], 'none', 'relu');
  const inp = input(8, 15, 10);
  const fwd = gradientCheck(tsKernels, spec, inp, { features: 15, samples: 8, h: 1e-6, method: 'forward' });
  const ctr = gradientCheck(tsKernels, spec, inp, { features: 15, samples: 8, h: 1e-6, method: 'centred' });
  assert.ok(fwd.maxRelError < 1e-3);
  assert.ok(ctr.maxRelError < fwd.maxRelError);
});
