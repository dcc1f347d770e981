// One conformance suite for both search storages: the same searches, driven by the same driver and
// group training in this process, must give identical trials, groups, rung decisions and results
// in memory (the CLI) and in Postgres (the service).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeSyntheticSplits } from '../../src/core/data/synthetic.js';
import { tsKernels } from '../../src/core/kernels/tsKernels.js';
import type { ExperimentSpec } from '../../src/experiment/experimentSpec.js';
import { trainSearchInProcess } from '../../src/search/localSearch.js';
import { createMemorySearchStorage } from '../../src/search/memorySearchStorage.js';
import { cancelSearch } from '../../src/search/searchDriver.js';
import { parseSearchSpec, type SearchSpec } from '../../src/search/searchSpec.js';
import { searchColumns } from '../../src/search/stagePlanner.js';
import { createTestDatabase, type TestDatabase } from '../helpers/serviceEnv.js';
import { tinySearchBase } from '../helpers/tinySearchBase.js';

const base = tinySearchBase({ trainSize: 240, heldOut: 80, features: 48, hidden: 12, stepSize: 12, cycles: 3, seed: 3 });

function search(over: Record<string, unknown>): SearchSpec {
  const r = parseSearchSpec({ base, space: { lambda: { logUniform: [-4, -1] } }, strategy: { kind: 'random', trials: 4 }, ...over });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return JSON.parse(JSON.stringify(r.search));
}

const CASES: { name: string; search: SearchSpec; workers: number }[] = [
  {
    name: 'coarse-to-fine with a final retrain and a twin trial',
    search: search({ space: { lambda: { logUniform: [-4, -1] }, seed: { values: [3, 4] } }, strategy: { kind: 'coarseToFine', trials: 4, stages: 2, finalRetrain: { overrides: { cycles: 4 } } } }),
    workers: 2,
  },
  {
    name: 'a grid with synchronous successive halving over two groups (groups park at undecided rungs)',
    search: search({ space: { etaMax: { values: [1e-7, 0.05, 2e-7, 0.04, 0.03, 3e-7] } }, strategy: { kind: 'grid' }, pruning: { kind: 'successiveHalving', reduction: 2 } }),
    workers: 2,
  },
  {
    name: 'identical specs trained once, unfused, within a small budget',
    search: search({ space: { lambda: { values: [0.001, 0.001, 0.01, 0.02] } }, strategy: { kind: 'grid' }, fuse: false, budget: { maxTrials: 200, maxParallel: 1 } }),
    workers: 1,
  },
];

const loadData = (spec: ExperimentSpec) => makeSyntheticSplits(spec.data as never, spec.seed);

/** Everything the suite compares, keyed by plan position (ids differ between storages). */
interface Snapshot {
  status: string;
  best: string | null;
  trials: { at: string; params: unknown; status: string; objective: number | null; prunedAtStep: number | null; reusedFrom: string | null; group: string | null; test: number | null }[];
  groups: { at: string; size: number; status: string }[];
  rungs: { stage: number; step: number; at: string; value: number; promoted: boolean | null }[];
}

type TrialFields = { id: string; params: unknown; status: string; objective: number | null; prunedAtStep: number | null; reusedFromRunId: string | null; groupId: string | null; test: number | null };

/** Trials by plan position, their references resolved to plan positions too. */
function trialsAt(runs: TrialFields[], at: Map<string, string>, groupAt: Map<string, string>): Snapshot['trials'] {
  return runs.map((r) => ({
    at: at.get(r.id)!,
    params: r.params,
    status: r.status,
    objective: r.objective,
    prunedAtStep: r.prunedAtStep,
    reusedFrom: r.reusedFromRunId ? at.get(r.reusedFromRunId)! : null,
    group: r.groupId ? groupAt.get(r.groupId)! : null,
    test: r.test,
  }));
}

async function inMemory(s: SearchSpec, workers: number): Promise<Snapshot> {
  const storage = createMemorySearchStorage();
  const id = storage.createSearch(s);
  await trainSearchInProcess(storage, storage.recorder, id, { loadData, kernels: tsKernels, workers });
  const runs = storage.runsOf(id);
  const rec = storage.searchOf(id);
  const at = new Map(runs.map((r) => [r.id, `${r.stage}.${r.trialIndex}`]));
  const groupAt = new Map(rec.groups.map((g) => [g.id, `${g.stage}.${g.position}`]));
  return {
    status: rec.status,
    best: rec.bestRunId ? at.get(rec.bestRunId)! : null,
    trials: trialsAt(runs.map((r) => ({ ...r, test: r.test?.accuracy ?? null })), at, groupAt),
    groups: rec.groups.map((g) => ({ at: `${g.stage}.${g.position}`, size: g.size, status: g.status })),
    rungs: [...rec.rungs.entries()].flatMap(([key, list]) => {
      const [stage, step] = key.split(':').map(Number);
      return list.map((e) => ({ stage, step, at: at.get(e.runId)!, value: e.value, promoted: e.promoted }));
    }),
  };
}

async function inPostgres(t: TestDatabase, projectId: string, s: SearchSpec, workers: number): Promise<Snapshot> {
  const { search: row } = await t.store.searches.create({ projectId, spec: s, ...searchColumns(s) });
  await trainSearchInProcess(t.store.searchStorage, t.store.recorder, row.id, { loadData, kernels: tsKernels, workers });
  const runs = await t.db.run.findMany({ where: { searchId: row.id }, orderBy: [{ stage: 'asc' }, { trialIndex: 'asc' }] });
  const groups = await t.db.trialGroup.findMany({ where: { searchId: row.id }, orderBy: [{ stage: 'asc' }, { position: 'asc' }] });
  const rungs = await t.db.rungResult.findMany({ where: { searchId: row.id } });
  const done = (await t.db.search.findUnique({ where: { id: row.id } }))!;
  const at = new Map(runs.map((r) => [r.id, `${r.stage}.${r.trialIndex}`]));
  const groupAt = new Map(groups.map((g) => [g.id, `${g.stage}.${g.position}`]));
  const order = (x: { stage: number; step: number; at: string }) => `${x.stage}:${x.step}:${x.at}`;
  return {
    status: done.status,
    best: done.bestRunId ? at.get(done.bestRunId)! : null,
    trials: trialsAt(runs.map((r) => ({ ...r, test: r.testAccuracy })), at, groupAt),
    groups: groups.map((g) => ({ at: `${g.stage}.${g.position}`, size: g.size, status: g.status })),
    rungs: rungs.map((e) => ({ stage: e.stage, step: e.step, at: at.get(e.runId)!, value: e.value, promoted: e.promoted })).sort((a, b) => order(a).localeCompare(order(b))),
  };
}

describe('search storages conform: memory and Postgres give the same search', () => {
  let t: TestDatabase;
  let projectId: string;
  before(async () => {
    t = await createTestDatabase('conformance');
    projectId = (await t.store.keys.create('conformance')).projectId;
  });
  after(async () => {
    await t?.drop();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const mem = await inMemory(c.search, c.workers);
      const pg = await inPostgres(t, projectId, c.search, c.workers);
      mem.rungs.sort((a, b) => `${a.stage}:${a.step}:${a.at}`.localeCompare(`${b.stage}:${b.step}:${b.at}`));
      assert.equal(mem.status, 'succeeded');
      assert.deepEqual(pg, mem);
    });
  }

  it('cancel: a queued search is cancelled; a finished one is left as it is, and the cancel says which it found (the API answers 409)', async () => {
    const spec = CASES[2].search;
    const mem = createMemorySearchStorage();
    const queued = mem.createSearch(spec);
    assert.equal(await cancelSearch(mem, queued), 'queued');
    assert.equal(mem.searchOf(queued).status, 'cancelled');
    const done = mem.createSearch(spec);
    await trainSearchInProcess(mem, mem.recorder, done, { loadData, kernels: tsKernels, workers: 1 });
    assert.equal(await cancelSearch(mem, done), 'succeeded');
    assert.equal(mem.searchOf(done).status, 'succeeded');

    const { search: pgQueued } = await t.store.searches.create({ projectId, spec, ...searchColumns(spec) });
    assert.equal(await cancelSearch(t.store.searchStorage, pgQueued.id), 'queued');
    assert.equal((await t.db.search.findUnique({ where: { id: pgQueued.id } }))!.status, 'cancelled');
    const { search: pgDone } = await t.store.searches.create({ projectId, spec, ...searchColumns(spec) });
    await trainSearchInProcess(t.store.searchStorage, t.store.recorder, pgDone.id, { loadData, kernels: tsKernels, workers: 1 });
    assert.equal(await cancelSearch(t.store.searchStorage, pgDone.id), 'succeeded');
    assert.equal((await t.db.search.findUnique({ where: { id: pgDone.id } }))!.status, 'succeeded');
  });

  it('the cases exercise what they claim: lineage stages, twins, pruning at two rungs, parking', async () => {
    const [c2f, sh, twins] = await Promise.all(CASES.map((c) => inMemory(c.search, c.workers)));
    assert.equal(c2f.best?.startsWith('2.'), true, 'the final retrain is the answer');
    assert.ok(c2f.trials.some((x) => x.reusedFrom !== null) || twins.trials.some((x) => x.reusedFrom !== null));
    assert.deepEqual(twins.trials.map((x) => x.reusedFrom), [null, '0.0', null, null]);
    assert.equal(sh.groups.length, 2);
    assert.deepEqual([...new Set(sh.rungs.map((r) => r.step))], [24, 48]);
    assert.deepEqual(sh.trials.map((x) => x.status).filter((s) => s === 'pruned').length, 5, 'six trials, reduction 2: 3 continue past rung 1, 1 past rung 2');
  });
});
