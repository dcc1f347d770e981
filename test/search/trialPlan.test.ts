import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fusionKey } from '../../src/core/training/trainingGroup.js';
import { parseSearchSpec, type SearchSpec } from '../../src/search/searchSpec.js';
import { specHash } from '../../src/experiment/specHash.js';
import { groupTrials, trialSpec } from '../../src/search/trialPlan.js';
import type { ExperimentSpec } from '../../src/experiment/experimentSpec.js';

const base = { data: { dataset: 'cifar10' }, model: { hidden: [50, 50], batchNorm: 'before' }, seed: 4 };

function search(over: Record<string, unknown> = {}): SearchSpec {
  const r = parseSearchSpec({ base, space: { lambda: { logUniform: [-3, -1] } }, strategy: { kind: 'random', trials: 10 }, ...over });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.search;
}

function trial(s: SearchSpec, params: Record<string, unknown>): ExperimentSpec {
  const r = trialSpec(s, params);
  assert.ok(r.ok);
  return r.spec;
}

test('trial specs pin the data seed to the base spec, so trials differing in seed still fuse', () => {
  const s = search();
  const a = trial(s, { lambda: 0.01, seed: 7 });
  const b = trial(s, { lambda: 0.02, seed: 8 });
  assert.equal(a.dataSeed, 4);
  assert.equal(fusionKey(a), fusionKey(b));
  assert.equal(a.training.lambda, 0.01);
  const r = trialSpec(s, {});
  assert.ok(r.ok && r.hash === specHash(r.spec));
  assert.equal(specHash(trial(s, {})), specHash(s.base), 'pinning the data seed does not change the hash of the base spec');
});

test('an invalid trial spec is reported with its parameters', () => {
  const r = trialSpec(search(), { batchSize: 0 });
  assert.ok(!r.ok && /batchSize/.test(r.message) && /"batchSize":0/.test(r.message));
});

test('groups: fused up to the network size, spread over the workers, within maxParallel per worker, balanced', () => {
  const s = search();
  const ten = Array.from({ length: 10 }, (_, i) => ({ i, spec: trial(s, { lambda: 0.001 * (i + 1) }) }));
  const sizes = (o: { fuse?: boolean; maxParallel?: number; workers?: number }) => groupTrials(ten, { fuse: o.fuse ?? true, maxParallel: o.maxParallel ?? 16, workers: o.workers ?? 1 }).map((g) => g.length);
  assert.deepEqual(sizes({}), [10], 'hidden 50: up to 512 / 50 = 10 trials per group');
  assert.deepEqual(sizes({ workers: 2 }), [5, 5]);
  assert.deepEqual(sizes({ workers: 2, maxParallel: 8 }), [4, 3, 3], 'two groups fit in maxParallel at once');
  assert.deepEqual(sizes({ workers: 3 }), [4, 3, 3]);
  assert.deepEqual(sizes({ fuse: false }), Array(10).fill(1));
  assert.deepEqual(groupTrials(ten, { fuse: true, maxParallel: 16, workers: 2 }).flat().map((t) => t.i), [...Array(10).keys()], 'plan order kept');
});

test('groups never mix trials that cannot share a pass or their data', () => {
  const s = search({ base: { ...base, data: { dataset: 'synthetic', trainSize: 1000 } } });
  const trials = [
    { spec: trial(s, { lambda: 0.01 }) },
    { spec: trial(s, { lambda: 0.02, hidden: [60, 50] }) },
    { spec: trial(s, { lambda: 0.03, seed: 9 }) },
    { spec: trial(s, { lambda: 0.04 }) },
  ];
  const groups = groupTrials(trials, { fuse: true, maxParallel: 16, workers: 1 });
  assert.deepEqual(groups.map((g) => g.map((t) => t.spec.training.lambda)), [[0.01, 0.04], [0.02], [0.03]], 'synthetic data is generated from the seed');
});
