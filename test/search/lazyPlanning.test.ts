// Planning never lists a dimension out: a 2^32-value integer range or a huge grid costs only the
// points drawn (it used to build every value, and a 332-byte search killed the worker).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/random.js';
import { cartesian, discreteAxis, gridAxis, gridSize, nextIndex, randomPoint } from '../../src/search/sampling.js';
import { parseSearchSpec } from '../../src/search/searchSpec.js';
import { planStage } from '../../src/search/stagePlanner.js';

const base = { data: { dataset: 'synthetic', trainSize: 1000 }, model: { hidden: [8] } };

test('a random search over a 2^32-value seed range plans its trials without listing the range', () => {
  const r = parseSearchSpec({ base, space: { seed: { intRange: { min: 0, max: 4294967295 } } }, strategy: { kind: 'random', trials: 50, seed: 3 } });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const heapBefore = process.memoryUsage().heapUsed;
  const plan = planStage(r.search, 0, []);
  assert.equal(plan.trials.length, 50);
  assert.ok(plan.trials.every((t) => Number.isInteger(t.seed) && (t.seed as number) >= 0 && (t.seed as number) <= 4294967295));
  assert.ok(new Set(plan.trials.map((t) => t.seed)).size > 45, 'draws spread over the range');
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 50e6, 'no list of the range was built');
});

test('grid points are enumerated by index, first parameter slowest, only as many as asked', () => {
  const axes: [string, ReturnType<typeof discreteAxis>][] = [
    ['a', discreteAxis({ values: [1, 2, 3] })],
    ['b', discreteAxis({ intRange: { min: 0, max: 2 ** 40, step: 1 } })],
  ];
  assert.equal(gridSize(axes.map(([, x]) => x)), 3 * (2 ** 40 + 1));
  assert.deepEqual(cartesian(axes, 3), [{ a: 1, b: 0 }, { a: 1, b: 1 }, { a: 1, b: 2 }]);
  assert.deepEqual(cartesian([['a', discreteAxis({ values: ['x', 'y'] })], ['b', gridAxis({ uniform: [0, 1], points: 2 })]], 10), [
    { a: 'x', b: 0 },
    { a: 'x', b: 1 },
    { a: 'y', b: 0 },
    { a: 'y', b: 1 },
  ]);
});

test('draws by index: values and small ranges draw exactly as before (nextInt), large ranges stay uniform and in range', () => {
  const a = createRng(5);
  const b = createRng(5);
  const values = Array.from({ length: 7 }, (_, i) => i * 10);
  for (let i = 0; i < 100; i++) assert.equal(randomPoint([['x', { values }]], new Map(), a).x, values[nextIndex(b, 7)]);
  const big = createRng(9);
  const n = 2 ** 45 + 3;
  const draws = Array.from({ length: 2000 }, () => nextIndex(big, n));
  assert.ok(draws.every((d) => Number.isInteger(d) && d >= 0 && d < n));
  assert.ok(draws.filter((d) => d < n / 2).length > 900 && draws.filter((d) => d < n / 2).length < 1100, 'both halves drawn alike');
});

test('a grid larger than the budget is rejected at validation, saying its size', () => {
  const r = parseSearchSpec({ base, space: { seed: { intRange: { min: 0, max: 4294967295 } }, lambda: { values: [0.1, 0.2] } }, strategy: { kind: 'grid' }, budget: { maxTrials: 100 } });
  assert.ok(!r.ok);
  assert.deepEqual(r.problems.map((p) => p.path), ['space']);
  assert.match(r.problems[0].message, /8589934592 points, more than budget\.maxTrials \(100\)/);
  assert.ok(parseSearchSpec({ base, space: { lambda: { values: [0.1, 0.2] } }, strategy: { kind: 'grid' }, budget: { maxTrials: 2 } }).ok);
});
