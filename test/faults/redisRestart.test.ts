// Redis restarted mid-search, on a redis-server of this test (keeping nothing on disk, like the
// machine's): the queue forgets every job (the coordinator's, the group training now), the
// worker reconnects, the reconciler re-enqueues what Postgres says is unfinished, and the search
// ends with the leaderboard of an uninterrupted search.
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { createQueue } from '../../src/queue/queue.js';
import { freePort } from '../helpers/freePort.js';
import { redisServerUnavailable, startPrivateRedis, type PrivateRedis } from '../helpers/privateRedis.js';
import { searchReference } from '../helpers/referenceRun.js';
import { referenceTrials, serviceTrials } from '../helpers/searchOutcome.js';
import { newKey, waitFor } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

/** Coarse-to-fine, two stages of three fused trials and a retrain; a stage trains for a second or two. */
const searchRequest = {
  name: 'faults-redis',
  base: {
    data: { dataset: 'synthetic', trainSize: 3000, validationSize: 300, testSize: 300, features: 1024, classes: 10, separation: 2 },
    model: { hidden: [64] },
    training: { batchSize: 50, schedule: { kind: 'cyclical', etaMin: 1e-4, etaMax: 0.05, stepSize: 120, cycles: 2 }, evalsPerEpoch: 4 },
    precision: 'float64',
    seed: 8,
  },
  space: { lambda: { logUniform: [-4, -1] } },
  strategy: { kind: 'coarseToFine', trials: 3, stages: 2, seed: 5, finalRetrain: { overrides: { cycles: 3 } } },
  pruning: { kind: 'successiveHalving', reduction: 2 },
};

const why = redisServerUnavailable();

describe('Redis restarted mid-search', { skip: why ?? false }, () => {
  let redis: PrivateRedis;
  let svc: TestService;
  let key: string;

  before(async () => {
    redis = await startPrivateRedis({ port: await freePort() });
    svc = await startTestService('faultredis', { redisUrl: redis.url });
    key = await newKey(svc.t.store, 'faultredis');
  });
  after(async () => {
    await svc?.stop();
    await redis?.destroy();
  });

  it('while a fused group trains: the search completes with the leaderboard of an uninterrupted one', async (t) => {
    const expected = await searchReference(searchRequest, 1);
    assert.equal(expected.status, 'succeeded');
    const w = svc.spawnWorker();
    await svc.waitWorkers(1);
    const created = await svc.api.post('/v1/searches', key, searchRequest);
    assert.equal(created.status, 202);
    const id = created.body.id;

    const pool = new pg.Pool({ connectionString: svc.t.url, max: 2 });
    try {
      // Half way through the first stage's training: a group job is active in Redis.
      await waitFor('an epoch of every first-stage trial stored', async () => {
        const r = await pool.query(`SELECT count(DISTINCT e.run_id) AS n FROM epochs e JOIN runs r ON r.id = e.run_id WHERE r.search_id = $1 AND r.stage = 0`, [id]);
        return Number(r.rows[0].n) === 3;
      }, 60_000, 10);
      const q = createQueue(svc.config);
      const active = await q.getActiveCount();
      await q.close();
      assert.equal(active, 1, 'a group job is training');
      const epochsAt = Number((await pool.query(`SELECT count(*) AS n FROM epochs e JOIN runs r ON r.id = e.run_id WHERE r.search_id = $1`, [id])).rows[0].n);

      const downMs = await redis.restart({ downMs: 1000 });
      const upAt = Date.now();
      const q2 = createQueue(svc.config);
      const left = await q2.getJobCounts();
      await q2.close();
      t.diagnostic(`Redis down ${downMs} ms with ${epochsAt} epochs of the search stored; jobs left in Redis after the restart: ${JSON.stringify(left)}`);

      const s = await waitFor(`search ${id} to finish`, async () => {
        const x = (await svc.api.get(`/v1/searches/${id}`, key)).body;
        return ['succeeded', 'failed', 'cancelled'].includes(x.status) ? x : null;
      }, 120_000, 100);
      t.diagnostic(`search finished ${Date.now() - upAt} ms after Redis came back`);
      const log = w.output();
      const count = (re: RegExp) => (log.match(re) ?? []).length;
      t.diagnostic(`worker log after the restart: ${count(/job missing from Redis; enqueued again/g)} jobs re-enqueued by the reconciler, ${count(/could not renew lock/g)} lock renewals refused`);
      assert.equal(s.status, 'succeeded', `${s.error}\n${svc.logs()}`);

      assert.deepEqual(await serviceTrials(svc.api, key, id), referenceTrials(expected), 'the trials, pruning decisions and metrics of the uninterrupted search');
      // The leaderboard holds the same entries (its order is a function of them).
      const board = (await svc.api.get(`/v1/searches/${id}/leaderboard?limit=100`, key)).body.entries;
      const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
      const entry = (x: { stage: number; params: unknown; status: string; objective: number | null }) => JSON.stringify([x.stage, sorted(x.params as Record<string, unknown>), x.status, x.objective]);
      assert.deepEqual(board.map((e: any) => entry({ ...e, status: e.reusedFrom ? 'reused' : e.status })).sort(), referenceTrials(expected).map(entry).sort(), 'the leaderboard of the uninterrupted search');
      assert.deepEqual(s.best.params, expected.best!.params, 'the same winner');
      // Each trial's epochs once (the primary key would refuse a second copy; none went missing either).
      const epochs = await pool.query(`SELECT r.stage, r.trial_index, count(e.epoch)::int AS n, max(e.epoch) AS last FROM runs r LEFT JOIN epochs e ON e.run_id = r.id WHERE r.search_id = $1 AND r.reused_from_run_id IS NULL GROUP BY r.id, r.stage, r.trial_index ORDER BY r.stage, r.trial_index`, [id]);
      for (const e of epochs.rows) assert.equal(e.n, e.last ?? 0, `stage ${e.stage} trial ${e.trial_index}: epochs 1..${e.last} each once`);
      t.diagnostic(`${expected.trials.length} trials (${expected.trials.filter((x) => x.status === 'pruned').length} pruned), identical to the uninterrupted search`);
    } finally {
      await pool.end();
    }
  });
});
