// The bounds cover all the work a run does and say which limit and by how much (issue 9).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSpec, type ExperimentSpec } from '../../src/experiment/experimentSpec.js';
import { estimateWork, WORK_LIMITS } from '../../src/experiment/workBounds.js';

const problems = (input: unknown) => {
  const r = parseSpec(input);
  return r.ok ? [] : r.problems;
};

test('a schedule of 400,000,000 updates on a tiny network is rejected (no epoch cap used to stop it)', () => {
  const p = problems({ data: { dataset: 'synthetic', trainSize: 1000, features: 8 }, model: { hidden: [4] }, training: { schedule: { kind: 'cyclical', etaMin: 0, etaMax: 0.1, stepSize: 1_000_000, cycles: 200 } } });
  const msg = p.map((x) => `${x.path}: ${x.message}`).join('\n');
  assert.match(msg, /training\.schedule: the schedule makes 4\.00e\+8 updates, 200x the limit of 2\.00e\+6/);
  assert.match(msg, /4000x the limit of 10000/);
});

test('evaluation counts: frequent evaluation on large splits is bounded though training is cheap', () => {
  const spec = { data: { dataset: 'synthetic', trainSize: 200_000, validationSize: 100_000, testSize: 1000, features: 1000 }, model: { hidden: [1000] }, training: { evalsPerEpoch: 100, evalSamples: 1_000_000, schedule: { kind: 'constant', eta: 0.01, epochs: 30 } } };
  const p = problems(spec);
  assert.equal(p[0].path, 'training.evalsPerEpoch');
  assert.match(p[0].message, /evaluation [\d.e+]+\), [\d.]+x the limit/);
});

test('data, checkpoint and weights artifact sizes are bounded before training starts', () => {
  assert.match(problems({ data: { dataset: 'synthetic', trainSize: 200_000, validationSize: 200_000, testSize: 200_000, features: 12_288 } })[0].message, /7\.4 GB in memory, 7\.4x the limit of 1 GB/);
  const wide = problems({ data: { dataset: 'synthetic', trainSize: 1000 }, model: { hidden: Array(32).fill(4096) } });
  assert.ok(wide.some((x) => x.path === 'model.hidden' && /checkpoint would be 21\d\d MB/.test(x.message)));
  assert.ok(wide.some((x) => /weights\.json would be/.test(x.message)));
});

test("every example spec (the reports' runs) is well within every bound", async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = new URL('../../../examples/', import.meta.url);
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json') && x !== 'reported.json')) {
    const r = parseSpec(JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
    assert.ok(r.ok, `${f}: ${JSON.stringify(!r.ok && r.problems)}`);
    const w = estimateWork(r.spec as ExperimentSpec);
    assert.ok(w.trainingMultiplyAdds + w.evaluationMultiplyAdds < WORK_LIMITS.maxMultiplyAdds / 100, f);
  }
});
