import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRate } from '../../../src/core/training/learningRate.js';

test('cyclical: rises linearly over stepSize updates, falls over the next stepSize', () => {
  const s = { kind: 'cyclical', etaMin: 1e-5, etaMax: 1e-1, stepSize: 500, cycles: 2 } as const;
  assert.equal(learningRate(s, 0, 100), 1e-5);
  assert.ok(Math.abs(learningRate(s, 250, 100) - (1e-5 + 0.5 * (1e-1 - 1e-5))) < 1e-15);
  assert.equal(learningRate(s, 500, 100), 1e-1);
  assert.ok(Math.abs(learningRate(s, 750, 100) - (1e-1 - 0.5 * (1e-1 - 1e-5))) < 1e-15);
  assert.ok(Math.abs(learningRate(s, 1000, 100) - 1e-5) < 1e-15);
  assert.ok(Math.abs(learningRate(s, 1500, 100) - 1e-1) < 1e-15);
});

test('step decay multiplies by decay once per epoch', () => {
  const s = { kind: 'stepDecay', eta: 0.01, decay: 0.95, epochs: 10 } as const;
  assert.equal(learningRate(s, 99, 100), 0.01);
  assert.ok(Math.abs(learningRate(s, 100, 100) - 0.0095) < 1e-15);
  assert.ok(Math.abs(learningRate(s, 250, 100) - 0.01 * 0.95 ** 2) < 1e-15);
});

test('constant stays constant', () => {
  assert.equal(learningRate({ kind: 'constant', eta: 0.001, epochs: 40 }, 12345, 100), 0.001);
});
