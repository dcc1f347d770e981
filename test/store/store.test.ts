// The hand-written migrations against the Prisma client: the runner applies them once (also
// when two runners race), records them like Prisma Migrate, and every model round-trips.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import { hashKey } from '../../src/store/keys.js';
import { migrate, readMigrations } from '../../src/store/migrate.js';
import { createTestDatabase, tinySpec, type TestDatabase } from '../helpers/serviceEnv.js';

describe('store', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase('store');
  });
  after(async () => {
    await t?.drop();
  });

  it('records migrations like Prisma Migrate and applies each once, even with concurrent runners', async () => {
    const again = await Promise.all([migrate(t.url), migrate(t.url), migrate(t.url)]);
    for (const r of again) assert.deepEqual(r.applied, []);
    const c = new pg.Client({ connectionString: t.url });
    await c.connect();
    const rows = (await c.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name')).rows;
    await c.end();
    const files = readMigrations();
    assert.equal(rows.length, files.length);
    rows.forEach((r, i) => {
      assert.equal(r.migration_name, files[i].name);
      assert.equal(r.checksum, files[i].checksum);
      assert.match(r.checksum, /^[0-9a-f]{64}$/);
      assert.ok(r.finished_at instanceof Date);
      assert.equal(r.applied_steps_count, 1);
    });
  });

  it('round-trips every record through the repositories, writing runs the way a trainer does', async () => {
    const { db, store } = t;
    const { key, projectId } = await store.keys.create('store-test');
    assert.deepEqual((await store.keys.projectForKeyHash(hashKey(key)))?.projectId, projectId);
    assert.equal(await store.keys.projectForKeyHash(hashKey(key + 'x')), null);
    const parsed = parseSpec(tinySpec());
    assert.ok(parsed.ok);
    const { run, created } = await store.runs.create({ projectId, spec: parsed.spec, tags: ['a', 'b'], idempotencyKey: 'k1' });
    assert.ok(created);
    const again = await store.runs.create({ projectId, spec: parsed.spec, idempotencyKey: 'k1' });
    assert.equal(again.created, false);
    assert.equal(again.run.id, run.id);
    assert.equal(run.status, 'queued');
    assert.equal(run.seed, 7n);
    const claim = await store.runs.claim(run.id);
    assert.ok(claim.kind === 'run');
    const recorder = store.recorder(claim.lease);
    const point = (step: number) => ({ step, epoch: step / 20, lr: 0.05, full: false, train: { loss: 1 + step, cost: 2, accuracy: 0.5 }, validation: { loss: 1, cost: 2, accuracy: 0.25 } });
    await recorder.writePoints([{ runId: run.id, points: [point(0), point(5), point(10)] }], { step: 10, epoch: 0.5, secondsLeft: 3 });
    const summary = { epoch: 1, step: 20, lr: 0.05, trainSeconds: 0.1, train: { loss: 1, cost: 2, accuracy: 0.5 }, validation: { loss: 1, cost: 2, accuracy: 0.4 } };
    await recorder.commitEpochs([{ runId: run.id, summary, points: [point(15), point(20)], checkpoint: new Uint8Array([1, 2, 3]) }], { step: 20, epoch: 1, secondsLeft: 2 });
    await assert.rejects(recorder.commitEpochs([{ runId: run.id, summary, points: [], checkpoint: new Uint8Array([9]) }], { step: 20, epoch: 1, secondsLeft: 0 }), 'an epoch is stored once');
    const ck = await recorder.checkpoints([run.id]);
    assert.deepEqual(Array.from(ck[0]!.data), [1, 2, 3], 'a failed epoch write leaves the checkpoint alone');
    assert.equal((await store.metrics.epochs(run.id, 0, 10)).epochs.length, 1);
    assert.equal((await store.metrics.points(run.id, -1, 100)).points.length, 5);
    const thin = await store.metrics.thinned(run.id, 2, -1, 10);
    assert.equal(thin.points.length, 2);
    assert.equal(thin.points[0].bucket!.count + thin.points[1].bucket!.count, 5);
    assert.equal(thin.points[1].step, 20);
    assert.equal(thin.points[0].bucket!.min.train.loss, 1);
    const result = { steps: 20, epochs: [], points: [], train: point(0).train, validation: point(0).validation, test: point(0).train, trainSeconds: 1 };
    await recorder.finish({ runId: run.id, result, backend: 'ts', artifacts: () => [{ name: 'result.json', contentType: 'application/json', body: Buffer.from('{}') }], points: [] });
    const done = await store.runs.get(projectId, run.id);
    assert.equal(done?.status, 'succeeded');
    assert.equal(done?.testAccuracy, 0.5);
    assert.equal(done?.leaseToken, null, 'the lease ends with the attempt');
    assert.equal((await store.artifacts.list(run.id)).length, 1);
    const list = await store.runs.list(projectId, { filters: { tags: ['a'], lambdaMax: 0.01 }, sort: 'createdAt', order: 'desc', limit: 10 });
    assert.equal(list.runs.length, 1);
    const second = await store.runs.create({ projectId, spec: parsed.spec });
    assert.equal((await store.runs.requestCancel(projectId, second.run.id))?.status, 'cancelled');
    const gc = await store.gradientChecks.create({ projectId, spec: parsed.spec, options: { features: 5, samples: 3, h: 1e-5, method: 'centred' } });
    assert.equal(gc.check.status, 'queued');
    await db.project.delete({ where: { id: projectId } });
    assert.equal(await db.run.count(), 0, 'deleting a project cascades');
    assert.equal(await db.gradientCheck.count({ where: { id: randomUUID() } }), 0);
  });

  it('fences writes by lease: an attempt that lost its run, or a run that ended, changes nothing', async () => {
    const { store } = t;
    const { projectId } = await store.keys.create('lease-test');
    const parsed = parseSpec(tinySpec());
    assert.ok(parsed.ok);
    const { run } = await store.runs.create({ projectId, spec: parsed.spec });
    const first = await store.runs.claim(run.id);
    const second = await store.runs.claim(run.id);
    assert.ok(first.kind === 'run' && second.kind === 'run' && first.lease !== second.lease, 'claiming a running run (a resumed attempt) takes a new lease');
    const stale = store.recorder(first.lease);
    const current = store.recorder(second.lease);
    const point = (step: number) => ({ step, epoch: step / 20, lr: 0.05, full: false, train: { loss: 1, cost: 2, accuracy: 0.5 }, validation: { loss: 1, cost: 2, accuracy: 0.25 } });
    const summary = { epoch: 1, step: 20, lr: 0.05, trainSeconds: 0.1, train: point(0).train, validation: point(0).validation };
    const result = { steps: 20, epochs: [], points: [], train: point(0).train, validation: point(0).validation, test: { loss: 9, cost: 9, accuracy: 0.99 }, trainSeconds: 1 };
    assert.deepEqual(await stale.stopRequested([run.id]), [run.id], 'the stale attempt is told to stop');
    assert.deepEqual(await current.stopRequested([run.id]), []);
    await stale.writePoints([{ runId: run.id, points: [point(5)] }], { step: 5, epoch: 0.25, secondsLeft: 1 });
    await stale.commitEpochs([{ runId: run.id, summary, points: [point(20)], checkpoint: new Uint8Array([7]) }], { step: 20, epoch: 1, secondsLeft: 1 });
    await stale.finish({ runId: run.id, result, backend: 'ts', artifacts: () => [], points: [] });
    await stale.fail(run.id, 'late failure');
    await stale.markCancelled([run.id]);
    let row = await store.runs.get(projectId, run.id);
    assert.equal(row?.status, 'running');
    assert.equal(row?.step, 0);
    assert.equal((await store.metrics.points(run.id, -1, 10)).points.length, 0);
    assert.equal((await store.metrics.epochs(run.id, 0, 10)).epochs.length, 0);
    assert.deepEqual(await current.checkpoints([run.id]), [null]);
    await current.finish({ runId: run.id, result: { ...result, test: point(0).train }, backend: 'ts', artifacts: () => [], points: [point(1)] });
    await stale.finish({ runId: run.id, result, backend: 'ts', artifacts: () => [], points: [] });
    await current.finish({ runId: run.id, result, backend: 'ts', artifacts: () => [], points: [] });
    row = await store.runs.get(projectId, run.id);
    assert.equal(row?.status, 'succeeded');
    assert.equal(row?.testAccuracy, 0.5, 'a finished run is not rewritten, not even by the attempt that finished it');
    assert.equal((await store.runs.claim(run.id)).kind, 'finished');
  });
});
