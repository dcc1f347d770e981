// Across hosts, for real: hosts made of network namespaces on one bridge (test/helpers/netns.ts).
// A "db" host runs its own Postgres and Redis, an "api" host the API process, two worker hosts a
// worker each (`node dist/worker/main.js` via `ip netns exec`); the test talks to them from its
// own namespace over the lan. A run trains on one worker host; that host's link is cut mid-run
// (its switch port down: silence, no error). Its BullMQ lock expires, the other host's stalled
// check hands it the job, the new attempt takes a new lease and resumes from the last checkpoint.
// Then the cut host's link comes back: its trainer, which never stopped, writes again, and every
// write is fenced off. The run ends with the history of an uninterrupted run.
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, afterEach, before, describe, it } from 'node:test';
import { parseSpec, stepsPerEpoch } from '../../src/experiment/experimentSpec.js';
import { createQueue } from '../../src/queue/queue.js';
import { apiClient } from '../helpers/apiClient.js';
import { alive, waitForPause, waitJobEnded } from '../helpers/faultPoints.js';
import { createLan, netnsUnavailable, type Lan } from '../helpers/netns.js';
import { Contract } from '../helpers/openapiContract.js';
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/privatePostgres.js';
import { redisServerUnavailable, startPrivateRedis, type PrivateRedis } from '../helpers/privateRedis.js';
import { searchReference, trainReference, type ReferenceRun } from '../helpers/referenceRun.js';
import { referenceTrials, serviceTrials } from '../helpers/searchOutcome.js';
import { assertSameAsUninterrupted, readRun } from '../helpers/runHistory.js';
import {
  API_SERVER,
  createTestDatabase,
  newKey,
  startNodeProcess,
  startWorker,
  stopProcess,
  uniquePrefix,
  waitFor,
  type TestDatabase,
  type WorkerProcess,
} from '../helpers/serviceEnv.js';

const EPOCHS = 40;
const spec = {
  name: 'across-hosts',
  data: { dataset: 'synthetic', trainSize: 2000, validationSize: 300, testSize: 300, features: 1024, classes: 10, separation: 2 },
  model: { hidden: [64] },
  training: { batchSize: 50, lambda: 0.001, schedule: { kind: 'constant', eta: 0.02, epochs: EPOCHS }, evalsPerEpoch: 5 },
  seed: 61,
};
const spe = (() => {
  const p = parseSpec(spec);
  assert.ok(p.ok);
  return stepsPerEpoch(p.spec);
})();

/** A run of a few epochs, for the final-write cut. */
const shortSpec = { ...spec, name: 'across-hosts-short', training: { ...spec.training, schedule: { kind: 'constant', eta: 0.02, epochs: 4 } } };

/** A small coarse-to-fine search, trials trained alone (fuse: false) so that grouping, which
 * depends on how many workers the coordinator sees, cannot change a result. */
const searchRequest = {
  name: 'across-hosts-search',
  base: {
    data: { dataset: 'synthetic', trainSize: 400, validationSize: 200, testSize: 200, features: 64, classes: 4, separation: 2 },
    model: { hidden: [16] },
    training: { batchSize: 20, schedule: { kind: 'cyclical', etaMin: 1e-4, etaMax: 0.05, stepSize: 20, cycles: 2 }, evalsPerEpoch: 2 },
    precision: 'float64',
    seed: 4,
  },
  space: { lambda: { logUniform: [-4, -1] } },
  strategy: { kind: 'coarseToFine', trials: 3, stages: 2, seed: 6 },
  fuse: false,
};

const why = netnsUnavailable() ?? privatePostgresUnavailable() ?? redisServerUnavailable();

/** A process's log lines (JSON) for the run, from one pid. */
function logOf(w: WorkerProcess, runId: string, pid?: number): { pid: number; time: number; msg: string; [k: string]: unknown }[] {
  return w
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(runId))
    .map((l) => JSON.parse(l))
    .filter((x) => pid === undefined || x.pid === pid)
    .map((x) => ({ ...x, time: Date.parse(x.time) }));
}

describe('across hosts: worker hosts cut off', { skip: why ?? false }, () => {
  let lan: Lan;
  let cluster: PrivatePostgres;
  let redis: PrivateRedis;
  let t: TestDatabase;
  let pool: pg.Pool;
  let api: WorkerProcess;
  let client: ReturnType<typeof apiClient>;
  let key: string;
  let prefix: string;
  let env: Record<string, string>;
  let workers: Record<string, WorkerProcess> = {};
  let reference: ReferenceRun;
  let shortReference: ReferenceRun;
  /** Starts a worker on the host (`node dist/worker/main.js` inside its namespace). */
  const startOn = (h: string, extra: Record<string, string> = {}) => (workers[h] = startWorker({ ...env, ...extra }, (c, a, o) => lan.spawn(h, c, a, o)));
  const waitWorkers = async (n: number) => {
    const q = createQueue({ redisUrl: redis.url, queuePrefix: prefix, queueName: 'jobs' });
    try {
      await waitFor(`${n} worker host(s) to take jobs`, async () => (await q.getWorkersCount()) >= n, 30_000, 100);
    } finally {
      await q.close();
    }
  };
  const row = async (id: string) => (await pool.query(`SELECT status::text AS status, lease_token, attempts, step FROM runs WHERE id = $1`, [id])).rows[0];
  const logs = () => Object.entries(workers).map(([h, w]) => `--- ${h}\n${w.output().slice(-3000)}`).join('\n');
  const waitFinished = (what: string, get: () => Promise<{ status: string } | undefined>, ms = 60_000) =>
    waitFor(`${what} to finish`, async () => {
      const x = await get();
      return x && ['succeeded', 'failed', 'cancelled'].includes(x.status) ? x : null;
    }, ms, 50);

  before(async () => {
    lan = createLan(['db', 'api', 'w1', 'w2']);
    const { db, api: apiHost } = lan.hosts;
    cluster = await startPrivatePostgres({ host: db.address, port: 5432, inNetns: db.ns });
    redis = await startPrivateRedis({ host: db.address, port: 6379, inNetns: db.ns });
    t = await createTestDatabase('faultnet', cluster.url());
    pool = new pg.Pool({ connectionString: t.url, max: 3 });
    key = await newKey(t.store, 'faultnet');
    prefix = uniquePrefix('faultnet');
    env = { DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: prefix };
    api = startNodeProcess(API_SERVER, { ...env, HOST: apiHost.address, PORT: '3000', LOG_LEVEL: 'warn' }, (c, a, o) => lan.spawn('api', c, a, o));
    const base = `http://${apiHost.address}:3000`;
    await waitFor('the API on its host', async () => (await fetch(`${base}/healthz`)).ok, 30_000, 100);
    client = apiClient(base, new Contract());
    reference = trainReference(spec);
    shortReference = trainReference(shortSpec);
  });
  afterEach(async () => {
    for (const h of ['w1', 'w2']) lan.restore(h);
    await Promise.all(Object.values(workers).map((w) => stopProcess(w, 'SIGKILL')));
    workers = {};
  });
  after(async () => {
    await Promise.all([...Object.values(workers), ...(api ? [api] : [])].map((w) => stopProcess(w, 'SIGKILL')));
    await pool?.end().catch(() => {});
    await t?.drop().catch(() => {});
    await redis?.destroy();
    cluster?.destroy();
    lan?.destroy();
  });

  it('cut mid-run: the run resumes on the other host; restored, the cut host\'s late writes are fenced; same result as uninterrupted', async (d) => {
    // Both stop before their final write: the host that takes the run over then still holds its
    // lease when the cut host comes back, so that the cut host's late writes meet a live owner.
    for (const h of ['w1', 'w2']) startOn(h, { TRAINYARD_FAULT_PAUSE: 'before-final-write' });
    await waitWorkers(2);
    const created = await client.post('/v1/runs', key, { spec });
    assert.equal(created.status, 202);
    const id = created.body.id;

    // Progress as a client polling Postgres sees it, from submission to the end.
    const seen: { at: number; step: number }[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seen.push({ at: Date.now(), step: (await row(id)).step });
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    const [h1, h2] = await waitFor('a worker host to start training the run', async () => {
      for (const [h, other] of [['w1', 'w2'], ['w2', 'w1']]) if (logOf(workers[h], id).some((l) => l.msg === 'run started')) return [h, other] as const;
      return null;
    }, 30_000, 20);
    const trainer = logOf(workers[h1], id).find((l) => l.msg === 'run started')!.pid;
    await waitFor('two epochs stored', async () => Number((await pool.query('SELECT count(*) AS n FROM epochs WHERE run_id = $1', [id])).rows[0].n) >= 2, 60_000, 5);
    const lost = (await row(id)).lease_token;
    lan.cut(h1);
    const cutAt = Date.now();
    const atCut = await readRun(pool, id);
    d.diagnostic(`run training on ${h1} (trainer pid ${trainer}); link cut with ${atCut.epochs.length} of ${EPOCHS} epochs stored, progress step ${atCut.step}`);

    const taken = await waitFor(`${h2} to claim the run`, async () => {
      const x = await row(id);
      return x.status === 'running' && x.lease_token !== lost ? x : null;
    }, 60_000, 20);
    const claimedAt = Date.now();
    const resumed = await waitFor(`${h2} to resume`, async () => logOf(workers[h2], id).find((l) => l.msg === 'resuming from checkpoint'), 30_000, 20);
    d.diagnostic(`${h2} claimed the run ${claimedAt - cutAt} ms after the cut (attempt ${taken.attempts}) and resumed from the checkpoint at step ${resumed.step} (epoch ${resumed.epoch}), ${resumed.time - cutAt} ms after the cut`);
    assert.ok((resumed.step as number) >= atCut.epochs.length * spe, 'resumed from the last checkpoint written before the cut (or a later one)');
    assert.equal((resumed.step as number) % spe, 0);
    assert.ok(alive(trainer), `the cut host's trainer is still running: it cannot know`);

    const bChild = await waitForPause(workers[h2], 'before-final-write', { timeoutMs: 60_000 });
    const owned = await readRun(pool, id);
    assert.equal(owned.epochs.length, EPOCHS, `${h2} stored every epoch`);
    assert.equal(owned.leaseToken, taken.lease_token);

    lan.restore(h1);
    const restoredAt = Date.now();
    const goneMs = await waitJobEnded(workers[h1], trainer, `the cut host's trainer`, restoredAt, 120_000);
    const late = logOf(workers[h1], id, trainer).filter((l) => l.time >= restoredAt);
    const fencedEpochs = late.filter((l) => l.msg === 'epoch stored').length;
    d.diagnostic(`link restored ${restoredAt - cutAt} ms after the cut; the cut host's trainer then wrote ${fencedEpochs} epoch(s), stopped (${late.map((l) => l.msg).filter((m) => m !== 'epoch stored').join(', ') || 'no message'}) and ended its job ${goneMs} ms after the restore`);
    assert.deepEqual(await readRun(pool, id), owned, "the cut host's late writes changed nothing (run, epochs, points, checkpoint)");
    assert.ok(late.some((l) => l.msg === 'cancelled'), 'the cut host\'s trainer stopped on finding the run no longer its own');

    process.kill(bChild, 'SIGCONT');
    const done = await waitFinished(`run ${id}`, () => row(id));
    watching = false;
    await watcher;
    assert.equal(done.status, 'succeeded', logs());
    assert.equal((done as any).attempts, 2);
    assertSameAsUninterrupted(await readRun(pool, id), reference, 'cut and restored');
    const viaApi = (await client.get(`/v1/runs/${id}`, key)).body;
    assert.deepEqual(viaApi.metrics, { train: reference.result.train, validation: reference.result.validation, test: reference.result.test });

    // Progress never goes backwards, but once: the new attempt starts again from the checkpoint
    // (the work after it was lost with the cut host), never below it.
    const drops = seen.flatMap((s, i) => (i > 0 && s.step < seen[i - 1].step ? [{ from: seen[i - 1].step, to: s.step, at: s.at }] : []));
    assert.ok(drops.length <= 1, `progress went back ${drops.length} times: ${JSON.stringify(drops)}`);
    for (const x of drops) {
      assert.ok(x.to >= (resumed.step as number), `back to step ${x.to}, below the checkpoint at ${resumed.step}`);
      assert.ok(x.at >= claimedAt - 1000 && x.at < restoredAt, 'only when the new attempt started');
    }
    d.diagnostic(`progress: ${seen.length} samples, ${drops.length ? `one step back (${drops[0].from} -> ${drops[0].to}) when ${h2} resumed` : 'never back'}, never back after the restore`);
  });

  it('cut while inside its final write (a transaction open, the run row locked): the other host still takes over and finishes the run', async (d) => {
    startOn('w1', { TRAINYARD_FAULT_PAUSE: 'artifact-upload' });
    const created = await client.post('/v1/runs', key, { spec: shortSpec });
    const id = created.body.id;
    const trainer = await waitForPause(workers.w1, 'artifact-upload', { timeoutMs: 60_000 });
    const lost = (await row(id)).lease_token;
    lan.cut('w1');
    const cutAt = Date.now();
    startOn('w2');
    const taken = await waitFor('w2 to claim the run', async () => {
      const x = await row(id);
      return x.lease_token !== lost && x.lease_token !== null ? x : null;
    }, 60_000, 50);
    const claimedAt = Date.now();
    const done = await waitFinished(`run ${id}`, () => row(id));
    d.diagnostic(`w2 claimed the run ${claimedAt - cutAt} ms after w1 was cut inside its final write (attempt ${taken.attempts}); finished ${Date.now() - cutAt} ms after the cut`);
    assert.equal(done.status, 'succeeded', logs());
    const finished = await readRun(pool, id);
    assertSameAsUninterrupted(finished, shortReference, 'cut inside the final write');

    // w1 comes back and goes on with its final write: its transaction is gone, nothing changes.
    lan.restore('w1');
    const contAt = Date.now();
    process.kill(trainer, 'SIGCONT');
    const goneMs = await waitJobEnded(workers.w1, trainer, "w1's trainer", contAt, 120_000);
    assert.deepEqual(await readRun(pool, id), finished, "w1's late final write changed nothing");
    d.diagnostic(`w1 restored and continued: its trainer ended its job ${goneMs} ms later; the run is unchanged`);
  });

  it('cut while planning a search stage (the search row locked): the other host plans it; the search ends with the trials of an uninterrupted one', async (d) => {
    const expected = await searchReference(searchRequest, 1);
    startOn('w1', { TRAINYARD_FAULT_PAUSE: 'planning' });
    await waitWorkers(1);
    const created = await client.post('/v1/searches', key, searchRequest);
    assert.equal(created.status, 202);
    const id = created.body.id;
    await waitForPause(workers.w1, 'planning', { timeoutMs: 60_000 });
    lan.cut('w1');
    const cutAt = Date.now();
    startOn('w2');
    const stage = await waitFor('w2 to plan the first stage', async () => Number((await pool.query('SELECT count(*) AS n FROM search_stages WHERE search_id = $1', [id])).rows[0].n) > 0, 60_000, 50);
    d.diagnostic(`w2 planned the stage ${Date.now() - cutAt} ms after w1 was cut while planning it`);
    assert.ok(stage);
    const s = await waitFinished(`search ${id}`, async () => (await client.get(`/v1/searches/${id}`, key)).body, 90_000);
    assert.equal(s.status, 'succeeded', `${(s as any).error}\n${logs()}`);
    lan.restore('w1');
    assert.deepEqual(await serviceTrials(client, key, id), referenceTrials(expected), 'the trials, outcomes and metrics of the uninterrupted search');
    d.diagnostic(`search finished ${Date.now() - cutAt} ms after the cut: ${expected.trials.length} trials, as uninterrupted`);
  });
});
