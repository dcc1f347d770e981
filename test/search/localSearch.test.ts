import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSyntheticSplits } from '../../src/core/data/synthetic.js';
import { tsKernels } from '../../src/core/kernels/tsKernels.js';
import { runSearchLocally } from '../../src/search/localSearch.js';
import { parseSearchSpec, type SearchSpec } from '../../src/search/searchSpec.js';
import type { ExperimentSpec } from '../../src/experiment/experimentSpec.js';
import { tinySearchBase } from '../helpers/tinySearchBase.js';

const base = tinySearchBase({ trainSize: 240, heldOut: 80, features: 48, hidden: 12, stepSize: 12, cycles: 3 });

function search(over: Record<string, unknown>): SearchSpec {
  const r = parseSearchSpec({ base, space: { lambda: { logUniform: [-4, -1] } }, strategy: { kind: 'random', trials: 4 }, ...over });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.search;
}

const loadData = (spec: ExperimentSpec) => makeSyntheticSplits(spec.data as never, spec.seed);

test('coarse-to-fine end to end: stages, lineage, final retrain', async () => {
  const s = search({ strategy: { kind: 'coarseToFine', trials: 4, stages: 2, finalRetrain: { overrides: { cycles: 4 } } } });
  const out = await runSearchLocally(s, { loadData, kernels: tsKernels });
  assert.equal(out.stages.length, 3);
  assert.equal(out.trials.length, 4 + 4 + 1);
  const iv = out.stages[1].intervals.lambda;
  for (const t of out.trials.filter((x) => x.stage === 1)) {
    const x = Math.log10(t.params.lambda as number);
    assert.ok(x >= iv.lo - 1e-12 && x <= iv.hi + 1e-12);
  }
  const stage0 = out.trials.filter((t) => t.stage === 0).sort((a, b) => b.objective! - a.objective!);
  assert.deepEqual(out.stages[1].lineage?.best, stage0[0].params);
  assert.equal(out.best?.stage, 2);
  assert.equal(out.best?.spec.training.schedule.kind === 'cyclical' && out.best.spec.training.schedule.cycles, 4);
  assert.ok(out.best!.result!.test.accuracy > 0.25);
});

test('fused and one-by-one searches give the same trial results', async () => {
  const s = search({ space: { lambda: { values: [0.0001, 0.001, 0.01] }, etaMax: { values: [0.02, 0.05] } }, strategy: { kind: 'grid' } });
  let groups = 0;
  const fused = await runSearchLocally(s, { loadData, kernels: tsKernels, onEvent: (e) => void (e.kind === 'group' && groups++) });
  const alone = await runSearchLocally({ ...s, fuse: false }, { loadData, kernels: tsKernels });
  assert.equal(groups, 1, 'six compatible trials train as one fused group');
  fused.trials.forEach((t, i) => {
    assert.ok(Math.abs(t.objective! - alone.trials[i].objective!) < 1e-9);
    assert.ok(Math.abs(t.result!.test.loss - alone.trials[i].result!.test.loss) < 1e-9);
  });
});

test('identical trial specs are trained once and reused', async () => {
  const s = search({ space: { lambda: { values: [0.001, 0.001, 0.01] } }, strategy: { kind: 'grid' } });
  let trained = 0;
  const out = await runSearchLocally({ ...s, fuse: false }, { loadData, kernels: tsKernels, onEvent: (e) => void (e.kind === 'group' && trained++) });
  assert.equal(trained, 2);
  assert.equal(out.trials[1].status, 'reused');
  assert.equal(out.trials[1].reusedFrom, 0);
  assert.equal(out.trials[1].objective, out.trials[0].objective);
});

test('successive halving prunes trials that cannot learn at the first cycle end', async () => {
  // Two trials with a learning rate too small to learn anything against two that learn.
  // Two cycles: one rung, at the end of the first.
  const s = search({
    base: { ...base, training: { ...base.training, schedule: { ...base.training.schedule, cycles: 2 } } },
    space: { etaMax: { values: [1e-7, 0.05, 2e-7, 0.04] } },
    strategy: { kind: 'grid' },
    pruning: { kind: 'successiveHalving', reduction: 2 },
  });
  const out = await runSearchLocally(s, { loadData, kernels: tsKernels });
  const status = out.trials.map((t) => t.status);
  assert.deepEqual(status, ['pruned', 'succeeded', 'pruned', 'succeeded']);
  for (const t of out.trials.filter((x) => x.status === 'pruned')) {
    assert.equal(t.prunedAtStep, 24, 'pruned at the end of the first cycle (2 x stepSize)');
    assert.ok(t.result!.points.length > 0, 'pruned trials keep their metrics');
  }
  assert.ok(out.best!.params.etaMax === 0.05 || out.best!.params.etaMax === 0.04);
});

test('with more rungs, halving continues: of four trials one reaches the end', async () => {
  const s = search({ space: { etaMax: { values: [1e-7, 0.05, 2e-7, 0.04] } }, strategy: { kind: 'grid' }, pruning: { kind: 'successiveHalving', reduction: 2 } });
  const out = await runSearchLocally(s, { loadData, kernels: tsKernels });
  assert.equal(out.trials.filter((t) => t.status === 'succeeded').length, 1);
  assert.deepEqual(out.trials.filter((t) => t.status === 'pruned').map((t) => t.prunedAtStep).sort(), [24, 24, 48]);
});
