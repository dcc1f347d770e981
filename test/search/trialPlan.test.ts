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
  assert.deepEqual(sizes({ workers: 2, maxParallel: 8 }), [3, 3, 2, 2], 'groups of at most 8 / 2 trials, in two full waves');
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

test('the planner splits a stage evenly over the live workers: 3, 7, 10 and 11 trials on 1, 2 and 3 workers', () => {
  const s = search();
  const expected: Record<number, Record<number, number[]>> = {
    3: { 1: [3], 2: [2, 1], 3: [1, 1, 1] },
    7: { 1: [7], 2: [4, 3], 3: [3, 2, 2] },
    10: { 1: [10], 2: [5, 5], 3: [4, 3, 3] },
    11: { 1: [6, 5], 2: [6, 5], 3: [4, 4, 3] },
  };
  for (const [n, byWorkers] of Object.entries(expected)) {
    const trials = Array.from({ length: Number(n) }, (_, i) => ({ i, spec: trial(s, { lambda: 0.001 * (i + 1) }) }));
    for (const [w, sizes] of Object.entries(byWorkers)) {
      const groups = groupTrials(trials, { fuse: true, maxParallel: 32, workers: Number(w) });
      assert.deepEqual(groups.map((g) => g.length), sizes, `${n} trials on ${w} worker(s)`);
      // Every worker gets a share when there are enough trials, and no two shares differ by more than one trial.
      assert.ok(groups.length % Number(w) === 0 || groups.length === Number(n), `${n} on ${w}: whole waves`);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    }
  }
});

test('groups of costlier networks are released first, so workers taking them in order finish together', () => {
  const s = search();
  const small = trial(s, { lambda: 0.01 });
  const big = trial(s, { lambda: 0.01, hidden: [200, 50] });
  const groups = groupTrials([{ spec: small }, { spec: big }, { spec: small }], { fuse: true, maxParallel: 32, workers: 2 });
  assert.deepEqual(groups.map((g) => g.map((t) => t.spec.model.hidden[0])), [[200], [50], [50]]);
});
