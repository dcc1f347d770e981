// Searches through the API and real worker processes: each strategy end to end, coarse-to-fine
// interval arithmetic and lineage, identical specs trained once, fused vs separate training,
// pruning at the first cycle end, cancel, and a worker SIGKILLed during a fused group.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectKernels } from '../../src/nativeKernels/selectKernels.js';
import { createTraining } from '../../src/core/training/training.js';
import type { TrainingResult } from '../../src/core/training/metrics.js';
import { loadDataset } from '../../src/dataFiles/loadDataset.js';
import { parseSearchSpec } from '../../src/search/searchSpec.js';
import { planStage } from '../../src/search/stagePlanner.js';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import type { apiClient } from '../helpers/apiClient.js';
import { newKey, waitFor, type TestDatabase, type WorkerProcess } from '../helpers/serviceEnv.js';
import { tinySearchBase } from '../helpers/tinySearchBase.js';
import { startTestService, type TestService } from '../helpers/testService.js';

/** 400 samples, 20 steps per epoch, two learning-rate cycles of 2 epochs each: ~0.1 s per trial. */
const base = tinySearchBase({ trainSize: 400, heldOut: 200, features: 64, hidden: 16, stepSize: 20, cycles: 2, seed: 3 });

/** Trials of a few hundred ms per epoch, for cancelling and killing mid-training. */
function slowBase(epochs: number) {
  const native = selectKernels({ threads: 1 }).kernels.backend === 'native';
  return {
    data: { dataset: 'synthetic', trainSize: native ? 3000 : 1500, validationSize: 300, testSize: 300, features: native ? 1536 : 512, classes: 10, separation: 2 },
    model: { hidden: [48] },
    training: { batchSize: 50, lambda: 0.001, schedule: { kind: 'constant', eta: 0.02, epochs }, evalsPerEpoch: 4 },
    precision: 'float64',
    seed: 5,
  };
}

function trainAlone(specInput: unknown): TrainingResult {
  const parsed = parseSpec(specInput);
  assert.ok(parsed.ok);
  const gen = createTraining({ spec: parsed.spec, data: loadDataset(parsed.spec, undefined), kernels: selectKernels({ threads: 1 }).kernels }).run();
  let r = gen.next();
  while (!r.done) r = gen.next();
  return r.value;
}

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

describe('searches through real workers', () => {
  let svc: TestService;
  let t: TestDatabase;
  let api: ReturnType<typeof apiClient>;
  let workers: WorkerProcess[];
  const spawnWorker = () => svc.spawnWorker();
  const logs = () => svc.logs();

  const submit = async (key: string, req: unknown) => {
    const r = await api.post('/v1/searches', key, req);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return r.body.id as string;
  };
  const getSearch = async (key: string, id: string) => (await api.get(`/v1/searches/${id}`, key)).body;
  const waitSearch = (key: string, id: string, ms = 60_000) =>
    waitFor(`search ${id} to finish`, async () => {
      const s = await getSearch(key, id);
      return ['succeeded', 'failed', 'cancelled'].includes(s.status) ? s : null;
    }, ms, 150);
  const trialsOf = async (key: string, id: string) => (await api.get(`/v1/runs?searchId=${id}&limit=200&sort=createdAt`, key)).body.runs.sort((a: any, b: any) => a.trial.stage - b.trial.stage || a.trial.trialIndex - b.trial.trialIndex);
  const board = async (key: string, id: string, query = '') => (await api.get(`/v1/searches/${id}/leaderboard${query}`, key)).body;

  before(async () => {
    svc = await startTestService('search');
    ({ t, api, workers } = svc);
    spawnWorker();
    spawnWorker();
    await svc.waitWorkers(2);
  });
  after(async () => {
    await svc?.stop();
  });

  it('grid: every trial a run, fused groups over both workers, leaderboard ranked, best stored', async () => {
    const key = await newKey(t.store, 'grid');
    const id = await submit(key, { name: 'grid', base, space: { lambda: { values: [1e-4, 1e-3, 1e-2] }, etaMax: { values: [0.02, 0.05] } }, strategy: { kind: 'grid' } });
    const s = await waitSearch(key, id);
    assert.equal(s.status, 'succeeded', `${s.error}\n${logs()}`);
    assert.equal(s.counts.succeeded, 6);
    assert.equal(s.stages.length, 1);
    assert.equal(s.stages[0].lineage, null);
    const trials = await trialsOf(key, id);
    assert.deepEqual(trials.map((r: any) => [r.trial.params.lambda, r.trial.params.etaMax]), [[1e-4, 0.02], [1e-4, 0.05], [1e-3, 0.02], [1e-3, 0.05], [1e-2, 0.02], [1e-2, 0.05]]);
    for (const r of trials) {
      assert.equal(r.spec.training.lambda, r.trial.params.lambda);
      assert.equal((await api.get(`/v1/runs/${r.id}/epochs`, key)).body.epochs.length, 4);
      assert.equal(r.trial.objective, r.metrics.validation.accuracy);
    }
    const groups = await t.db.trialGroup.findMany({ where: { searchId: id }, orderBy: { position: 'asc' } });
    assert.deepEqual(groups.map((g) => g.size), [3, 3], 'six compatible trials in one fused group per worker');
    const lb = await board(key, id);
    const values = lb.entries.map((e: any) => e.objective);
    assert.deepEqual(values, [...values].sort((a, b) => b - a));
    assert.equal(s.best.runId, lb.entries[0].runId);
    assert.equal(s.best.objective, lb.entries[0].objective);
    assert.deepEqual(s.best.params, lb.entries[0].params);
    const project = (await api.get('/v1/leaderboard?dataset=synthetic&metric=validationAccuracy&limit=3', key)).body;
    assert.equal(project.entries[0].value, lb.entries[0].objective);
  });

  it('random: the trials planned are the planner\'s (re-planning gives the same trials)', async () => {
    const key = await newKey(t.store, 'random');
    const req = { base, space: { lambda: { logUniform: [-4, -1] }, etaMax: { uniform: [0.02, 0.06] } }, strategy: { kind: 'random', trials: 5, seed: 9 } };
    const id = await submit(key, req);
    const s = await waitSearch(key, id);
    assert.equal(s.status, 'succeeded', `${s.error}\n${logs()}`);
    const parsed = parseSearchSpec(req);
    assert.ok(parsed.ok);
    const plan = planStage(parsed.search, 0, []);
    assert.deepEqual((await trialsOf(key, id)).map((r: any) => r.trial.params), plan.trials);
  });

  it('coarse-to-fine: the next interval is [best - d, best + d] in log10 units from the two best trials; lineage; final retrain', async () => {
    const key = await newKey(t.store, 'c2f');
    const id = await submit(key, {
      base,
      space: { lambda: { logUniform: [-4, -1] } },
      strategy: { kind: 'coarseToFine', trials: 4, stages: 2, seed: 2, finalRetrain: { overrides: { cycles: 3 } } },
      objective: { metric: 'validationLoss' },
    });
    const s = await waitSearch(key, id);
    assert.equal(s.status, 'succeeded', `${s.error}\n${logs()}`);
    assert.deepEqual(s.stages.map((x: any) => x.kind), ['search', 'search', 'finalRetrain']);
    assert.deepEqual(s.stages[0].intervals, { lambda: { lo: -4, hi: -1, log: true } });

    const stage0 = (await board(key, id, '?stage=0')).entries;
    assert.equal(stage0.length, 4);
    assert.equal(s.objective.direction, 'minimize');
    const [best, second] = stage0;
    assert.ok(best.objective <= second.objective);
    const b = Math.log10(best.params.lambda);
    const d = Math.abs(b - Math.log10(second.params.lambda));
    const iv = s.stages[1].intervals.lambda;
    assert.ok(close(iv.lo, b - d, 1e-12) && close(iv.hi, b + d, 1e-12), `interval ${JSON.stringify(iv)} vs [${b - d}, ${b + d}]`);
    assert.deepEqual(s.stages[1].lineage, { parentStage: 0, bestRunId: best.runId, secondRunId: second.runId, best: best.params, second: second.params });
    for (const e of (await board(key, id, '?stage=1')).entries) {
      const x = Math.log10(e.params.lambda);
      assert.ok(x >= iv.lo - 1e-12 && x <= iv.hi + 1e-12, `stage-1 lambda 10^${x} inside the refined interval`);
    }

    const searched = [...stage0, ...(await board(key, id, '?stage=1')).entries].sort((x: any, y: any) => x.objective - y.objective || x.stage - y.stage || x.trialIndex - y.trialIndex);
    const retrain = s.stages[2];
    assert.equal(retrain.lineage.bestRunId, searched[0].runId);
    assert.deepEqual(retrain.fixed, { lambda: searched[0].params.lambda, cycles: 3 });
    const final = (await board(key, id, '?stage=2')).entries[0];
    assert.equal(s.best.runId, final.runId, 'the final retrain is the answer');
    const run = (await api.get(`/v1/runs/${final.runId}`, key)).body;
    assert.equal(run.spec.training.schedule.cycles, 3);
    assert.equal(run.spec.training.lambda, searched[0].params.lambda);
    assert.ok(run.metrics.test.accuracy > 0.5);
  });

  it('identical specs are trained once: within a search and across searches of the project', async () => {
    const key = await newKey(t.store, 'dedup');
    const first = await submit(key, { base, space: { lambda: { values: [0.001, 0.001, 0.01] } }, strategy: { kind: 'grid' } });
    const s1 = await waitSearch(key, first);
    assert.equal(s1.status, 'succeeded', `${s1.error}\n${logs()}`);
    assert.equal(s1.counts.reused, 1);
    const t1 = await trialsOf(key, first);
    assert.equal(t1[1].trial.reusedFrom, t1[0].id);
    assert.deepEqual(t1[1].metrics, t1[0].metrics);
    assert.equal(await t.db.epoch.count({ where: { runId: t1[1].id } }), 0, 'the duplicate was not trained');
    assert.equal(await t.db.run.count({ where: { searchId: first, groupId: { not: null } } }), 2);

    const second = await submit(key, { base, space: { lambda: { values: [0.01, 0.1] } }, strategy: { kind: 'grid' } });
    const s2 = await waitSearch(key, second);
    assert.equal(s2.status, 'succeeded', `${s2.error}\n${logs()}`);
    const t2 = await trialsOf(key, second);
    assert.equal(t2[0].trial.reusedFrom, t1[2].id, 'lambda 0.01 reuses the first search\'s run');
    assert.deepEqual(t2[0].metrics, t1[2].metrics);
    assert.equal(t2[1].trial.reusedFrom, null);
    assert.deepEqual((await t.db.trialGroup.findMany({ where: { searchId: second } })).map((g) => g.size), [1]);
    const project = (await api.get('/v1/leaderboard?dataset=synthetic&limit=50', key)).body.entries;
    assert.equal(project.length, 3, 'reused copies are not listed twice');
  });

  it('fused and separate training give the same trials (fuse: true vs fuse: false)', async () => {
    const req = { base, space: { lambda: { values: [1e-4, 1e-3, 1e-2, 1e-1] } }, strategy: { kind: 'grid' } };
    const fusedKey = await newKey(t.store, 'fused');
    const aloneKey = await newKey(t.store, 'alone');
    const [fused, alone] = await Promise.all([submit(fusedKey, req), submit(aloneKey, { ...req, fuse: false })]);
    assert.equal((await waitSearch(fusedKey, fused)).status, 'succeeded', logs());
    assert.equal((await waitSearch(aloneKey, alone)).status, 'succeeded', logs());
    assert.deepEqual((await t.db.trialGroup.findMany({ where: { searchId: fused } })).map((g) => g.size), [2, 2]);
    assert.deepEqual((await t.db.trialGroup.findMany({ where: { searchId: alone } })).map((g) => g.size), [1, 1, 1, 1]);
    const [a, b] = [await trialsOf(fusedKey, fused), await trialsOf(aloneKey, alone)];
    a.forEach((x: any, i: number) => {
      for (const split of ['train', 'validation', 'test'] as const) {
        for (const m of ['loss', 'cost', 'accuracy'] as const) assert.ok(close(x.metrics[split][m], b[i].metrics[split][m]), `trial ${i} ${split}.${m}: ${x.metrics[split][m]} vs ${b[i].metrics[split][m]}`);
      }
    });
  });

  it('successive halving prunes the trials that cannot learn at the end of the first cycle; they keep their metrics', async () => {
    const key = await newKey(t.store, 'prune');
    const id = await submit(key, { base, space: { etaMax: { values: [1e-7, 0.05, 2e-7, 0.04] } }, strategy: { kind: 'grid' }, pruning: { kind: 'successiveHalving', reduction: 2 } });
    const s = await waitSearch(key, id);
    assert.equal(s.status, 'succeeded', `${s.error}\n${logs()}`);
    const trials = await trialsOf(key, id);
    assert.deepEqual(trials.map((r: any) => r.status), ['pruned', 'succeeded', 'pruned', 'succeeded'], logs());
    assert.deepEqual([s.counts.pruned, s.counts.succeeded], [2, 2]);
    for (const r of trials.filter((x: any) => x.status === 'pruned')) {
      assert.equal(r.trial.prunedAtStep, 40, 'the first cycle ends at 2 x stepSize');
      assert.equal(r.metrics.test, null);
      assert.equal(r.trial.objective, r.metrics.validation.accuracy);
      assert.deepEqual((await api.get(`/v1/runs/${r.id}/epochs`, key)).body.epochs.map((e: any) => e.epoch), [1, 2], 'epochs up to the rung stay');
    }
    const rungs = await t.db.rungResult.findMany({ where: { searchId: id } });
    assert.equal(rungs.length, 4);
    assert.ok(rungs.every((r) => r.step === 40));
    const lb = (await board(key, id)).entries;
    assert.deepEqual(lb.map((e: any) => e.status), ['succeeded', 'succeeded', 'pruned', 'pruned']);
    assert.equal((await api.post(`/v1/runs/${trials[0].id}/cancel`, key)).status, 409);
  });

  it('cancel: queued trials cancelled at once, running ones at their next step; what was recorded stays', async () => {
    const key = await newKey(t.store, 'cancel');
    const id = await submit(key, { base: slowBase(30), space: { lambda: { values: [1e-4, 1e-3, 1e-2, 1e-1, 0.2, 0.3] } }, strategy: { kind: 'grid' }, budget: { maxParallel: 4 } });
    // maxParallel 4 over two workers: groups of 2, two training, the third waiting.
    await waitFor('two groups training', async () => (await getSearch(key, id)).counts.running === 4, 60_000, 50);
    await waitFor('an epoch stored', async () => (await t.db.epoch.count({ where: { run: { searchId: id } } })) > 0, 60_000, 50);
    const mid = await getSearch(key, id);
    assert.equal(mid.status, 'running');
    assert.deepEqual([mid.counts.running, mid.counts.queued], [4, 2], JSON.stringify(mid.counts));
    const c = await api.post(`/v1/searches/${id}/cancel`, key);
    assert.equal(c.status, 202);
    assert.equal(c.body.cancelRequested, true);
    assert.deepEqual([c.body.counts.queued, c.body.counts.cancelled], [0, 2], 'queued trials are cancelled at once');
    const s = await waitSearch(key, id, 20_000);
    assert.equal(s.status, 'cancelled', logs());
    const trials = await trialsOf(key, id);
    assert.ok(trials.every((r: any) => r.status === 'cancelled'), JSON.stringify(trials.map((r: any) => r.status)));
    assert.ok((await t.db.epoch.count({ where: { run: { searchId: id } } })) > 0, 'recorded epochs stay');
    assert.equal((await api.post(`/v1/searches/${id}/cancel`, key)).status, 202);
  });

  it('cancelling one trial of a fused group: it stops, its partner continues exactly as if trained alone', async () => {
    const key = await newKey(t.store, 'partial');
    const id = await submit(key, { base: slowBase(6), space: { lambda: { values: [1e-4, 1e-3, 1e-2, 3e-2] } }, strategy: { kind: 'grid' } });
    await waitFor('an epoch of the first trial stored', async () => {
      const first = (await trialsOf(key, id))[0];
      return first && (await t.db.epoch.count({ where: { runId: first.id } })) >= 1;
    }, 60_000, 20);
    const [first, partner] = await trialsOf(key, id);
    assert.equal(first.trial.trialIndex, 0);
    assert.equal((await t.db.run.findUnique({ where: { id: partner.id } }))!.groupId, (await t.db.run.findUnique({ where: { id: first.id } }))!.groupId);
    assert.equal((await api.post(`/v1/runs/${first.id}/cancel`, key)).status, 202);
    const s = await waitSearch(key, id);
    assert.equal(s.status, 'succeeded', `${s.error}\n${logs()}`);
    const trials = await trialsOf(key, id);
    assert.deepEqual(trials.map((r: any) => r.status), ['cancelled', 'succeeded', 'succeeded', 'succeeded']);
    assert.ok(trials[0].progress.epoch < 6 && trials[0].progress.epoch >= 1);
    const reference = trainAlone(trials[1].spec);
    assert.ok(close(trials[1].metrics.test.loss, reference.test.loss), `${trials[1].metrics.test.loss} vs ${reference.test.loss}`);
    assert.equal(s.counts.cancelled, 1);
  });

  it('a worker SIGKILLed during a fused group: the search completes, each epoch stored once, metrics as uninterrupted', async () => {
    const key = await newKey(t.store, 'kill');
    const epochs = 6;
    const id = await submit(key, { base: slowBase(epochs), space: { lambda: { values: [1e-4, 1e-3, 1e-2, 3e-2] } }, strategy: { kind: 'grid' } });
    await waitFor('two epochs stored for every trial', async () => {
      const counts = await t.db.epoch.groupBy({ by: ['runId'], where: { run: { searchId: id } }, _count: { _all: true } });
      return counts.length === 4 && counts.every((c) => c._count._all >= 2);
    }, 60_000, 20);
    const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    for (const w of alive) w.child.kill('SIGKILL');
    await Promise.all(alive.map((w) => w.exited));
    const atKill = await trialsOf(key, id);
    assert.ok(atKill.some((r: any) => r.status === 'running' && r.progress.epoch < epochs), 'killed mid-training');
    spawnWorker();
    spawnWorker();
    const s = await waitSearch(key, id, 90_000);
    assert.equal(s.status, 'succeeded', `${s.error}\n${logs()}`);
    const trials = await trialsOf(key, id);
    for (const r of trials) {
      assert.ok(r.attempts >= 2, `trial ${r.trial.trialIndex} resumed (attempts ${r.attempts})`);
      const stored = (await api.get(`/v1/runs/${r.id}/epochs`, key)).body.epochs;
      assert.deepEqual(stored.map((e: any) => e.epoch), [1, 2, 3, 4, 5, 6]);
      const reference = trainAlone(r.spec);
      stored.forEach((e: any, i: number) => assert.ok(close(e.validation.loss, reference.epochs[i].validation.loss), `epoch ${i + 1}`));
      assert.ok(close(r.metrics.test.loss, reference.test.loss), `trial ${r.trial.trialIndex}: ${r.metrics.test.loss} vs ${reference.test.loss}`);
    }
  });
});
