import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import { loadJobData } from '../../worker/loadJobData.js';

const warnings: string[] = [];
const log = { info() {}, warn: (_o: object, msg: string) => void warnings.push(msg) };

test('a dataset the job cannot get past is a failed result with the reason, not a thrown error', () => {
  const spec = parseSpec({ data: { dataset: 'cifar10' } });
  assert.ok(spec.ok);
  const none = loadJobData(spec.spec, undefined, log);
  assert.ok(!none.ok && /CIFAR-10 folder not given/.test(none.message), JSON.stringify(none));
  const missing = loadJobData(spec.spec, '/nonexistent/cifar', log);
  assert.ok(!missing.ok && /not found/.test(missing.message) && /^dataset cifar10: /.test(missing.message));
  assert.equal(warnings.length, 2);
});

test('synthetic data loads', () => {
  const spec = parseSpec({ data: { dataset: 'synthetic', trainSize: 50, validationSize: 10, testSize: 10, features: 8, classes: 2 }, training: { batchSize: 10 } });
  assert.ok(spec.ok);
  const r = loadJobData(spec.spec, undefined, log);
  assert.ok(r.ok && r.data.train.n === 50);
});
