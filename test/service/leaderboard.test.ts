// Leaderboards at scale: with 10,000 trials in the project, GET /v1/searches/:id/leaderboard and
// GET /v1/leaderboard answer ranked correctly, the project-wide board from its partial index.
// Their latency is measured by `npm run bench:search -- --only d`, not asserted here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/runtime/config.js';
import { createLogger } from '../../src/runtime/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/serviceEnv.js';
import { insertTrials } from '../helpers/trialFixtures.js';

describe('leaderboards with 10,000 trials', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let base: string;
  let key: string;
  let searchId: string;
  const get = async (path: string) => {
    const r = await fetch(base + path, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(r.status, 200, path);
    return r.json() as Promise<any>;
  };

  before(async () => {
    t = await createTestDatabase('board');
    const created = await t.store.keys.create('board');
    key = created.key;
    searchId = await insertTrials(t.db, created.projectId, 10_000);
    app = await buildApp({ config: { ...loadConfig({}), databaseUrl: t.url, logLevel: 'silent' }, store: t.store, queue: null, logger: createLogger('test', 'silent'), docs: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  after(async () => {
    await app?.close();
    await t?.drop();
  });

  it('ranks correctly, the project-wide board from its partial index', async () => {
    const rows = await t.db.run.findMany({ where: { searchId }, select: { objective: true, status: true, testAccuracy: true } });
    assert.equal(rows.length, 10_000);
    const finished = rows.filter((r) => r.status === 'succeeded').map((r) => r.objective!).sort((a, b) => b - a);
    const board = await get(`/v1/searches/${searchId}/leaderboard?limit=50`);
    assert.deepEqual(board.entries.map((e: any) => e.objective), finished.slice(0, 50));
    const stage1 = await get(`/v1/searches/${searchId}/leaderboard?stage=1&metric=testAccuracy&limit=10`);
    assert.ok(stage1.entries.every((e: any) => e.stage === 1));
    const project = await get('/v1/leaderboard?dataset=synthetic&metric=validationAccuracy&limit=20');
    assert.deepEqual(project.entries.map((e: any) => e.value), finished.slice(0, 20));
    const plan = (await t.db.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN SELECT id FROM runs WHERE project_id = (SELECT project_id FROM searches WHERE id = $1::uuid) AND dataset = 'synthetic' AND status = 'succeeded'
       AND reused_from_run_id IS NULL AND validation_accuracy IS NOT NULL ORDER BY validation_accuracy DESC LIMIT 20`,
      searchId,
    )).map((r) => r['QUERY PLAN']).join('\n');
    assert.match(plan, /runs_board_validation_accuracy_idx/);

    const paths = [`/v1/searches/${searchId}/leaderboard`, `/v1/searches/${searchId}/leaderboard?stage=0&metric=validationLoss`, '/v1/leaderboard?dataset=synthetic', '/v1/leaderboard?dataset=synthetic&metric=testAccuracy'];
    for (const path of paths) await get(path);
  });
});
