// The reconciler against a real Redis: runs Postgres has queued but Redis lost are enqueued
// again; runs whose job failed for good are marked failed with the job's reason.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'bullmq';
import { createQueue, createSearchQueue, enqueue, redisConnection } from '../../src/queue/queue.js';
import { parseSearchSpec } from '../../src/search/searchSpec.js';
import { createLogger } from '../../src/runtime/logger.js';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import { advanceSearch } from '../../src/search/searchDriver.js';
import { searchColumns } from '../../src/search/stagePlanner.js';
import { groupJobId } from '../../src/queue/queue.js';
import { reconcile } from '../../worker/reconciler.js';
import { createTestDatabase, REDIS_URL, tinySpec, uniquePrefix, waitFor, type TestDatabase } from '../helpers/serviceEnv.js';

describe('reconciler', () => {
  let t: TestDatabase;
  const cfg = { redisUrl: REDIS_URL, queuePrefix: uniquePrefix('recon'), queueName: 'jobs' };
  const queue = createQueue(cfg);
  const searchQueue = createSearchQueue(cfg);
  const log = createLogger('test', 'silent');

  before(async () => {
    t = await createTestDatabase('recon');
  });
  after(async () => {
    for (const q of [queue, searchQueue]) {
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
    await t?.drop();
  });

  it('re-enqueues lost jobs and fails runs whose job failed, with the reason', async () => {
    const { projectId } = await t.store.keys.create('recon');
    const parsed = parseSpec(tinySpec());
    assert.ok(parsed.ok);
    const lost = (await t.store.runs.create({ projectId, spec: parsed.spec })).run;
    const running = (await t.store.runs.create({ projectId, spec: parsed.spec })).run;
    const broken = (await t.store.runs.create({ projectId, spec: parsed.spec })).run;
    await t.db.run.update({ where: { id: running.id }, data: { status: 'running' } });
    await enqueue(queue, 'run', broken.id, { attempts: 1 });
    const worker = new Worker(cfg.queueName, async () => {
      throw new Error('the training process was killed by SIGKILL');
    }, { connection: redisConnection(REDIS_URL), prefix: cfg.queuePrefix });
    await waitFor('job to fail', async () => (await queue.getJob(broken.id))?.failedReason);
    await worker.close();

    const r = await reconcile(t.store, queue, { graceMs: 0, attempts: 1, log });
    assert.deepEqual(r, { requeued: 2, failed: 1 });
    assert.ok(await queue.getJob(lost.id));
    assert.ok(await queue.getJob(running.id));
    const after = await t.db.run.findMany({ orderBy: { createdAt: 'asc' } });
    const byId = new Map(after.map((x) => [x.id, x]));
    assert.equal(byId.get(lost.id)!.status, 'queued');
    assert.equal(byId.get(running.id)!.status, 'queued', 'a running run whose job vanished goes back to queued');
    assert.equal(byId.get(broken.id)!.status, 'failed');
    assert.match(byId.get(broken.id)!.error!, /killed by SIGKILL/);
    assert.deepEqual(await reconcile(t.store, queue, { graceMs: 0, attempts: 1, log }), { requeued: 0, failed: 0 }, 'a second pass changes nothing');
  });

  it('re-enqueues released trial groups Redis lost, fails the trials of a group whose job failed, and wakes the search', async () => {
    // Start from a clean slate: no jobs, and the runs of the previous test finished.
    await queue.obliterate({ force: true });
    await t.db.run.updateMany({ where: { status: { in: ['queued', 'running'] } }, data: { status: 'cancelled' } });
    const { projectId } = await t.store.keys.create('recon-search');
    const parsed = parseSearchSpec({ base: tinySpec(), space: { lambda: { values: [0.001, 0.01] } }, strategy: { kind: 'grid' }, fuse: false });
    assert.ok(parsed.ok);
    const { search } = await t.store.searches.create({ projectId, spec: parsed.search, ...searchColumns(parsed.search) });
    await advanceSearch(t.store.searchStorage, search.id, 1);
    const groups = await t.db.trialGroup.findMany({ where: { searchId: search.id }, orderBy: { position: 'asc' } });
    assert.deepEqual(groups.map((g) => g.status), ['enqueued', 'enqueued'], 'released but never added to Redis');

    const r = await reconcile(t.store, queue, { graceMs: 0, attempts: 1, log, searchQueue });
    assert.equal(r.requeued, 2);
    const jobs = await Promise.all(groups.map((g) => queue.getJob(groupJobId(g.id, 1))));
    assert.deepEqual(jobs.map((j) => [j?.name, j?.data.searchId]), [['group', search.id], ['group', search.id]]);

    const worker = new Worker(cfg.queueName, async () => {
      throw new Error('the training process exited with code 1');
    }, { connection: redisConnection(REDIS_URL), prefix: cfg.queuePrefix });
    await waitFor('group jobs to fail', async () => (await Promise.all(groups.map(async (g) => (await queue.getJob(groupJobId(g.id, 1)))?.failedReason))).every(Boolean));
    await worker.close();
    await searchQueue.drain();
    const again = await reconcile(t.store, queue, { graceMs: 0, attempts: 1, log, searchQueue });
    assert.equal(again.failed, 2);
    const trials = await t.db.run.findMany({ where: { searchId: search.id } });
    assert.ok(trials.every((x) => x.status === 'failed' && /exited with code 1/.test(x.error ?? '')));
    assert.ok((await t.db.trialGroup.findMany({ where: { searchId: search.id } })).every((g) => g.status === 'done'));
    assert.ok((await searchQueue.getJobCounts('waiting')).waiting >= 1, 'the search is woken to finish');
  });

  it('works through a backlog larger than one pass instead of rescanning the same oldest rows', async () => {
    await queue.obliterate({ force: true });
    await t.db.run.updateMany({ where: { status: { in: ['queued', 'running'] } }, data: { status: 'cancelled' } });
    const { projectId } = await t.store.keys.create('recon-backlog');
    const parsed = parseSpec(tinySpec());
    assert.ok(parsed.ok);
    const lost: string[] = [];
    for (let i = 0; i < 7; i++) lost.push((await t.store.runs.create({ projectId, spec: parsed.spec })).run.id);
    const seen = new Set<string>();
    for (let pass = 0; pass < 3; pass++) {
      await reconcile(t.store, queue, { graceMs: 0, attempts: 1, log, limit: 3 });
      for (const id of lost) if (await queue.getJob(id)) seen.add(id);
      // Redis loses them all again: only passes that move on can re-enqueue every run.
      await queue.obliterate({ force: true });
    }
    assert.equal(seen.size, 7, 'three passes of three reach all seven lost runs');
  });
});
