import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchSpec, type SearchSpec } from '../../src/search/searchSpec.js';
import { planStage, refineInterval, stageCount } from '../../src/search/stagePlanner.js';
import { decideRung, rungSteps } from '../../src/search/successiveHalving.js';
import { specHash } from '../../src/experiment/specHash.js';
import { parseSpec } from '../../src/experiment/experimentSpec.js';

const base = { data: { dataset: 'synthetic', trainSize: 1000 }, model: { hidden: [20] }, training: { schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 50, cycles: 3 } } };

function search(over: Record<string, unknown>): SearchSpec {
  const r = parseSearchSpec({ base, space: { lambda: { logUniform: [-5, -1] } }, strategy: { kind: 'random', trials: 4 }, ...over });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.search;
}

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test("refining in log space: the report's lambda search", () => {
  // Report: best log10(lambda) -2.30937357, second -2.33853783 → [best - d, best + d], d = 0.02916426.
  const iv = refineInterval({ lo: -3, hi: -1, log: true }, 10 ** -2.30937357, 10 ** -2.33853783, 10);
  close(iv.lo, -2.30937357 - 0.02916426);
  close(iv.hi, -2.30937357 + 0.02916426);
  assert.equal(iv.log, true);
});

test('refining a linear interval, and a collapsed pair', () => {
  const iv = refineInterval({ lo: 0, hi: 1, log: false }, 0.4, 0.7, 5);
  close(iv.lo, 0.1);
  close(iv.hi, 0.7);
  const same = refineInterval({ lo: 0, hi: 1, log: false }, 0.4, 0.4, 5);
  close(same.lo, 0.2);
  close(same.hi, 0.6);
});

test('coarse-to-fine stages: the second stage samples inside the refined interval and records its lineage', () => {
  const s = search({ strategy: { kind: 'coarseToFine', trials: 6, stages: 2, finalRetrain: { overrides: { cycles: 3 } } } });
  assert.equal(stageCount(s), 3);
  const first = planStage(s, 0, []);
  assert.equal(first.trials.length, 6);
  for (const t of first.trials) assert.ok((t.lambda as number) >= 1e-5 && (t.lambda as number) <= 1e-1);
  const scores = [0.30, 0.45, 0.41, 0.20, 0.44, 0.10];
  const outcomes = [first.trials.map((params, i) => ({ params, objective: scores[i] }))];
  const second = planStage(s, 1, outcomes);
  const best = Math.log10(first.trials[1].lambda as number);
  const d = Math.abs(best - Math.log10(first.trials[4].lambda as number));
  close(second.intervals.lambda.lo, best - d);
  close(second.intervals.lambda.hi, best + d);
  for (const t of second.trials) {
    const x = Math.log10(t.lambda as number);
    assert.ok(x >= best - d - 1e-12 && x <= best + d + 1e-12);
  }
  assert.deepEqual(second.lineage, { parentStage: 0, best: first.trials[1], second: first.trials[4] });
  const finals = planStage(s, 2, [...outcomes, second.trials.map((params, i) => ({ params, objective: i === 2 ? 0.5 : 0.1 }))]);
  assert.equal(finals.kind, 'finalRetrain');
  assert.deepEqual(finals.trials, [{ ...second.trials[2], cycles: 3 }]);
});

test('grid search enumerates the cartesian product, capped by the budget', () => {
  const s = search({ space: { eta: { values: [0.001, 0.01] }, lambda: { logUniform: [-5, -4], points: 3 } }, strategy: { kind: 'grid' }, base: { ...base, training: { schedule: { kind: 'constant', eta: 0.01, epochs: 2 } } } });
  const plan = planStage(s, 0, []);
  assert.equal(plan.trials.length, 6);
  close(plan.trials[1].lambda as number, 10 ** -4.5);
  const capped = planStage({ ...s, budget: { ...s.budget, maxTrials: 4 } }, 0, []);
  assert.equal(capped.trials.length, 4);
});

test('random search is seeded: same seed, same trials', () => {
  const a = planStage(search({ strategy: { kind: 'random', trials: 5, seed: 3 } }), 0, []);
  const b = planStage(search({ strategy: { kind: 'random', trials: 5, seed: 3 } }), 0, []);
  const c = planStage(search({ strategy: { kind: 'random', trials: 5, seed: 4 } }), 0, []);
  assert.deepEqual(a.trials, b.trials);
  assert.notDeepEqual(a.trials, c.trials);
});

test('invalid searches name what to fix', () => {
  const bad = parseSearchSpec({ base, space: { lambdaa: { values: [1] }, eta: { values: [0.1] }, hidden: { intRange: { min: 10, max: 5 } } }, strategy: { kind: 'grid' } });
  assert.equal(bad.ok, false);
  const paths = !bad.ok ? bad.problems.map((p) => p.path) : [];
  assert.ok(paths.includes('space.lambdaa'), JSON.stringify(paths));
  assert.ok(paths.includes('space.eta'), 'eta does not exist on a cyclical schedule');
  assert.ok(paths.includes('space.hidden.intRange'));
  const noPoints = parseSearchSpec({ base, space: { lambda: { logUniform: [-5, -1] } }, strategy: { kind: 'grid' } });
  assert.ok(!noPoints.ok && noPoints.problems[0].path === 'space.lambda.points');
});

test('rungs sit at the ends of learning-rate cycles', () => {
  const spec = parseSpec(base);
  assert.ok(spec.ok);
  assert.deepEqual(rungSteps(spec.spec, 3), [100, 200]);
  const constant = parseSpec({ ...base, training: { schedule: { kind: 'constant', eta: 0.01, epochs: 27 } } });
  assert.ok(constant.ok);
  assert.deepEqual(rungSteps(constant.spec, 3), [1, 3, 9].map((e) => e * 10));
});

test('successive halving keeps the best 1/reduction at a rung, ties in plan order', () => {
  const at = (values: number[]) => values.map((value, order) => ({ runId: `r${order}`, value, order }));
  const kept = (d: ReturnType<typeof decideRung>) => [...d.promoted].filter(([, p]) => p).map(([id]) => id);
  // Nine trials at a rung, reduction 3: the best three continue; the cut-off is the worst kept value.
  const nine = decideRung(at([0.31, 0.45, 0.28, 0.5, 0.33, 0.4, 0.29, 0.47, 0.35]), 3, 'maximize');
  assert.deepEqual(kept(nine), ['r1', 'r3', 'r7']);
  assert.equal(nine.keep, 3);
  assert.equal(nine.cutoff, 0.45);
  // Losses are minimised.
  assert.deepEqual(kept(decideRung(at([1.2, 1.5, 2.0]), 3, 'minimize')), ['r0']);
  // Ties go to the earlier trial, so exactly `keep` continue; a lone trial continues; NaN never does.
  assert.deepEqual(kept(decideRung(at([0.4, 0.5, 0.5, 0.1]), 2, 'maximize')), ['r1', 'r2']);
  assert.deepEqual(kept(decideRung(at([0.5, 0.5, 0.5]), 3, 'maximize')), ['r0']);
  assert.deepEqual(kept(decideRung(at([0.1]), 3, 'maximize')), ['r0']);
  const diverged = decideRung(at([NaN, 0.2]), 2, 'maximize');
  assert.deepEqual(kept(diverged), ['r1']);
  assert.deepEqual(kept(decideRung(at([NaN, NaN]), 2, 'maximize')), []);
});

test('identical specs hash alike whatever their key order, name or defaults', () => {
  const a = parseSpec({ name: 'a', ...base, training: { lambda: 0.01, schedule: base.training.schedule } });
  const b = parseSpec({ training: { schedule: base.training.schedule, lambda: 0.01, momentum: 0 }, model: { hidden: [20], batchNorm: 'none' }, data: base.data, name: 'b' });
  const c = parseSpec({ ...base, training: { lambda: 0.02, schedule: base.training.schedule } });
  assert.ok(a.ok && b.ok && c.ok);
  assert.equal(specHash(a.spec), specHash(b.spec));
  assert.notEqual(specHash(a.spec), specHash(c.spec));
});
