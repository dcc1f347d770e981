// `trainyard search` and the same search through the service (API, queue, a real worker process)
// run the one search driver: on synthetic data they give identical leaderboards, pruning
// decisions and results, to the last bit (TypeScript kernels on both sides).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { newKey, waitFor } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

const bin = fileURLToPath(new URL('../../../bin/trainyard.js', import.meta.url));

const searchRequest = {
  name: 'cli-vs-service',
  base: {
    data: { dataset: 'synthetic', trainSize: 300, validationSize: 100, testSize: 100, features: 48, classes: 4, separation: 2 },
    model: { hidden: [12] },
    training: { batchSize: 20, schedule: { kind: 'cyclical', etaMin: 1e-4, etaMax: 0.05, stepSize: 15, cycles: 3 }, evalsPerEpoch: 2 },
    precision: 'float64',
    seed: 2,
  },
  space: { lambda: { logUniform: [-4, -1] }, etaMax: { values: [1e-7, 0.05] } },
  strategy: { kind: 'coarseToFine', trials: 6, stages: 2, seed: 4, finalRetrain: { overrides: { cycles: 4 } } },
  pruning: { kind: 'successiveHalving', reduction: 2 },
};

interface Entry {
  stage: number;
  params: unknown;
  status: string;
  objective: number | null;
  testAccuracy: number | null;
  prunedAtStep: number | null;
}

/** The store's leaderboard order: valued before unvalued, finished before pruned, best first, then plan order. */
function ranked(entries: (Entry & { trialIndex: number })[]): Entry[] {
  const key = (e: Entry) => [e.objective === null ? 1 : 0, e.status === 'pruned' ? 1 : 0];
  return [...entries]
    .sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1] || (b.objective ?? 0) - (a.objective ?? 0) || a.stage - b.stage || a.trialIndex - b.trialIndex)
    .map(({ trialIndex: _t, ...e }) => e);
}

describe('a CLI search and the same search through the service', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService('clisvc');
    svc.spawnWorker({ TRAINYARD_BACKEND: 'ts' });
    await svc.waitWorkers(1);
  });
  after(async () => {
    await svc?.stop();
  });

  it('give identical leaderboards, pruning decisions and results', async () => {
    const { api } = svc;
    const key = await newKey(svc.t.store, 'clisvc');
    const created = await api.post('/v1/searches', key, searchRequest);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.id;
    const done = await waitFor('the search to finish', async () => {
      const s = (await api.get(`/v1/searches/${id}`, key)).body;
      return ['succeeded', 'failed', 'cancelled'].includes(s.status) ? s : null;
    }, 120_000, 200);
    assert.equal(done.status, 'succeeded', `${done.error}\n${svc.logs()}`);
    const board = (await api.get(`/v1/searches/${id}/leaderboard?limit=100`, key)).body.entries;
    const service = board.map((e: any) => ({
      stage: e.stage,
      params: e.params,
      status: e.reusedFrom ? 'reused' : e.status,
      objective: e.objective,
      testAccuracy: e.metrics.test?.accuracy ?? null,
      prunedAtStep: e.prunedAtStep,
    }));

    const dir = mkdtempSync(join(tmpdir(), 'ty-clisvc-'));
    const file = join(dir, 'search.json');
    writeFileSync(file, JSON.stringify(searchRequest));
    const r = spawnSync(process.execPath, [bin, 'search', file, '--json', '--backend', 'ts'], { encoding: 'utf8', env: { ...process.env, TRAINYARD_THREADS: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    const perStage = new Map<number, number>();
    const cli = ranked(
      out.trials.map((x: any) => {
        const trialIndex = perStage.get(x.stage) ?? 0;
        perStage.set(x.stage, trialIndex + 1);
        return { stage: x.stage, trialIndex, params: x.params, status: x.status, objective: x.objective, testAccuracy: x.testAccuracy, prunedAtStep: x.prunedAtStep };
      }),
    );

    assert.ok(service.some((e: Entry) => e.status === 'pruned'), 'the search prunes');
    assert.ok(service.some((e: Entry) => e.stage === 2), 'the search retrains its winner');
    assert.deepEqual(service, cli);
    assert.deepEqual(done.best.params, out.best.params);
    assert.equal(done.best.metrics.test.accuracy, out.best.testAccuracy);
  });
});
