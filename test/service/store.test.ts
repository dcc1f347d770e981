// The hand-written migrations against the Prisma client: the runner applies them once (also
// when two runners race), records them like Prisma Migrate, and every model round-trips.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import { createApiKey, hashKey, projectForKeyHash } from '../../src/store/keys.js';
import { migrate, readMigrations } from '../../src/store/migrate.js';
import { listEpochs, thinnedPoints, listPoints } from '../../src/store/metrics.js';
import { createRun, getRun, listRuns, requestCancel } from '../../src/store/runs.js';
import { commitEpoch, createWriterPool, finishRun, writePoints } from '../../src/store/runWriter.js';
import { createGradientCheck } from '../../src/store/gradientChecks.js';
import { createTestDatabase, tinySpec, type TestDatabase } from '../helpers/serviceEnv.js';

describe('store', () => {
  let t: TestDatabase;
  let pool: ReturnType<typeof createWriterPool>;
  before(async () => {
    t = await createTestDatabase('store');
    pool = createWriterPool(t.url);
  });
  after(async () => {
    await pool?.end();
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

  it('round-trips every model through the Prisma client', async () => {
    const db = t.db;
    const { key, projectId } = await createApiKey(db, 'store-test');
    assert.deepEqual((await projectForKeyHash(db, hashKey(key)))?.projectId, projectId);
    assert.equal(await projectForKeyHash(db, hashKey(key + 'x')), null);
    const parsed = parseSpec(tinySpec());
    assert.ok(parsed.ok);
    const { run, created } = await createRun(db, { projectId, spec: parsed.spec, tags: ['a', 'b'], idempotencyKey: 'k1' });
    assert.ok(created);
    const again = await createRun(db, { projectId, spec: parsed.spec, idempotencyKey: 'k1' });
    assert.equal(again.created, false);
    assert.equal(again.run.id, run.id);
    assert.equal(run.status, 'queued');
    assert.equal(run.seed, 7n);
    const point = (step: number) => ({ step, epoch: step / 20, lr: 0.05, full: false, train: { loss: 1 + step, cost: 2, accuracy: 0.5 }, validation: { loss: 1, cost: 2, accuracy: 0.25 } });
    await writePoints(pool, run.id, [point(0), point(5), point(10)], { step: 10, epoch: 0.5, secondsLeft: 3 });
    await commitEpoch(
      pool,
      run.id,
      { epoch: 1, step: 20, lr: 0.05, trainSeconds: 0.1, train: { loss: 1, cost: 2, accuracy: 0.5 }, validation: { loss: 1, cost: 2, accuracy: 0.4 } },
      [point(15), point(20)],
      new Uint8Array([1, 2, 3]),
      { step: 20, epoch: 1, secondsLeft: 2 },
    );
    await assert.rejects(
      commitEpoch(pool, run.id, { epoch: 1, step: 20, lr: 0, trainSeconds: 0, train: point(0).train, validation: point(0).validation }, [], new Uint8Array([9]), { step: 20, epoch: 1, secondsLeft: 0 }),
    );
    const ck = await db.checkpoint.findUnique({ where: { runId: run.id } });
    assert.deepEqual(Array.from(ck!.data), [1, 2, 3], 'a failed epoch transaction leaves the checkpoint alone');
    assert.equal((await listEpochs(db, run.id, 0, 10)).epochs.length, 1);
    assert.equal((await listPoints(db, run.id, -1, 100)).points.length, 5);
    const thin = await thinnedPoints(db, run.id, 2, -1, 10);
    assert.equal(thin.points.length, 2);
    assert.equal(thin.points[0].bucket!.count + thin.points[1].bucket!.count, 5);
    assert.equal(thin.points[1].step, 20);
    assert.equal(thin.points[0].bucket!.min.train.loss, 1);
    const result = { steps: 20, epochs: [], points: [], train: point(0).train, validation: point(0).validation, test: point(0).train, trainSeconds: 1 };
    await finishRun(pool, run.id, result, 'ts', [{ name: 'result.json', contentType: 'application/json', body: Buffer.from('{}') }], []);
    const done = await getRun(db, projectId, run.id);
    assert.equal(done?.status, 'succeeded');
    assert.equal(done?.testAccuracy, 0.5);
    assert.equal((await db.artifact.findMany({ where: { runId: run.id } })).length, 1);
    const list = await listRuns(db, projectId, { filters: { tags: ['a'], lambdaMax: 0.01 }, sort: 'createdAt', order: 'desc', limit: 10 });
    assert.equal(list.runs.length, 1);
    const second = await createRun(db, { projectId, spec: parsed.spec });
    assert.equal((await requestCancel(db, projectId, second.run.id))?.status, 'cancelled');
    const gc = await createGradientCheck(db, { projectId, spec: parsed.spec, options: { features: 5, samples: 3, h: 1e-5, method: 'centred' } });
    assert.equal(gc.check.status, 'queued');
    await db.project.delete({ where: { id: projectId } });
    assert.equal(await db.run.count(), 0, 'deleting a project cascades');
    assert.equal(await db.gradientCheck.count({ where: { id: randomUUID() } }), 0);
  });
});
