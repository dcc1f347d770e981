// The API keeps serialised run reads (src/api/liveResponseCache.ts) only while they are true:
// another process's change (a worker's write, announced by Postgres) shows at once, the API's own
// writes are read back at once, and nothing is served from memory while the change feed is down.
// That the cache serves at all is seen by changing a row with triggers off (no announcement).
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { newKey, tinySpec, waitFor } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

describe('live run reads', () => {
  let svc: TestService;
  let key: string;
  let pool: pg.Pool;
  let id: string;

  /** Changes the run's name as a worker would (the change is announced on commit). */
  const announced = (name: string) => pool.query(`UPDATE runs SET name = $2 WHERE id = $1`, [id, name]);
  /** Changes it with triggers off: nobody is told, so only an uncached read sees it. */
  const silent = async (name: string) => {
    const c = await pool.connect();
    try {
      await c.query(`SET session_replication_role = replica`);
      await c.query(`UPDATE runs SET name = $2 WHERE id = $1`, [id, name]);
    } finally {
      await c.query(`RESET session_replication_role`);
      c.release();
    }
  };
  const listName = async () => (await svc.api.get('/v1/runs?limit=5', key)).body.runs.find((r: { id: string }) => r.id === id).name;
  const runName = async () => (await svc.api.get(`/v1/runs/${id}`, key)).body.name;

  before(async () => {
    svc = await startTestService('livereads');
    key = await newKey(svc.t.store, 'livereads');
    pool = new pg.Pool({ connectionString: svc.t.url, max: 2 });
    id = (await svc.api.post('/v1/runs', key, { spec: tinySpec(), name: 'first' })).body.id;
    await waitFor('the change feed to listen', async () => svc.t.store.changes.listening(), 10_000, 20);
  });
  after(async () => {
    await pool?.end();
    await svc?.stop();
  });

  it('serves a read from memory until the run changes; an announced change shows on the next read', async () => {
    assert.equal(await listName(), 'first');
    assert.equal(await runName(), 'first');
    await silent('unannounced');
    assert.equal(await listName(), 'first', 'the list came from memory (the unannounced change is not seen)');
    assert.equal(await runName(), 'first', 'so did the run');
    await announced('announced');
    const t0 = Date.now();
    await waitFor('the announced change in the list', async () => (await listName()) === 'announced', 2000, 5);
    await waitFor('and in the run', async () => (await runName()) === 'announced', 2000, 5);
    assert.ok(Date.now() - t0 < 500, `seen ${Date.now() - t0} ms after the commit`);
  });

  it("the API's own write is read back at once, by the list and the run", async () => {
    await listName();
    await runName();
    const patched = await svc.api.patch(`/v1/runs/${id}`, key, { name: 'patched', tags: ['mine'] });
    assert.equal(patched.status, 200);
    assert.equal(await listName(), 'patched');
    assert.equal(await runName(), 'patched');
    const created = await svc.api.post('/v1/runs', key, { spec: tinySpec({ seed: 9 }), name: 'second' });
    const list = (await svc.api.get('/v1/runs?limit=5', key)).body.runs.map((r: { id: string }) => r.id);
    assert.ok(list.includes(created.body.id), 'a new run is in the next list');
  });

  it("a run another process inserts is in the next list (inserts are announced too)", async () => {
    await listName();
    const r = await pool.query(
      `INSERT INTO runs (id, project_id, name, tags, status, spec, dataset, hidden_layers, batch_norm, schedule_kind, lambda, batch_size, seed, epochs_total, steps_total)
       SELECT gen_random_uuid(), project_id, 'inserted elsewhere', '{}', 'queued', spec, dataset, hidden_layers, batch_norm, schedule_kind, lambda, batch_size, seed, epochs_total, steps_total FROM runs WHERE id = $1 RETURNING id`,
      [id],
    );
    const inserted = r.rows[0].id;
    await waitFor('the inserted run in the list', async () => (await svc.api.get('/v1/runs?limit=10', key)).body.runs.some((x: { id: string }) => x.id === inserted), 2000, 5);
  });

  it('while the change feed is down nothing is served from memory; once it is back, caching resumes', async () => {
    await listName();
    await runName();
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN trainyard_run%'`);
    await waitFor('the feed to notice', async () => !svc.t.store.changes.listening(), 5000, 5);
    await silent('while down');
    assert.equal(await listName(), 'while down', 'read from Postgres: the feed cannot say what changed');
    assert.equal(await runName(), 'while down');
    await waitFor('the feed to listen again', async () => svc.t.store.changes.listening(), 10_000, 20);
    assert.equal(await listName(), 'while down');
    await silent('after');
    assert.equal(await listName(), 'while down', 'cached again');
  });
});
