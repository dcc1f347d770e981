// A long history (200,000 points) is thinned in Postgres: bounded response size, stable bucket
// edges across pages, exact min/max/last per bucket, and no whole-history read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/runtime/config.js';
import { createLogger } from '../../src/runtime/logger.js';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import { apiClient } from '../helpers/apiClient.js';
import { Contract } from '../helpers/openapiContract.js';
import { createTestDatabase, newKey, tinySpec, uniquePrefix, type TestDatabase } from '../helpers/serviceEnv.js';

const N = 200_000;

describe('long histories', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let api: ReturnType<typeof apiClient>;
  let key: string;
  let runId: string;

  before(async () => {
    t = await createTestDatabase('long');
    app = await buildApp({ config: { ...loadConfig({}), databaseUrl: t.url, queuePrefix: uniquePrefix('long') }, store: t.store, queue: null, logger: createLogger('test', 'silent'), docs: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    api = apiClient(app.server, new Contract());
    key = await newKey(t.store, 'long');
    const project = (await t.db.apiKey.findFirst({ select: { projectId: true } }))!.projectId;
    const spec = parseSpec(tinySpec());
    assert.ok(spec.ok);
    runId = (await t.store.runs.create({ projectId: project, spec: spec.spec })).run.id;
    // Step s has train loss 1000 - s/1000 plus a spike of +5 at every 1000th step.
    await t.db.$executeRawUnsafe(
      `INSERT INTO metric_points (run_id, step, epoch, lr, "full", train_loss, train_cost, train_accuracy, validation_loss, validation_cost, validation_accuracy)
       SELECT $1::uuid, s, s / 100.0, 0.01, s % 100 = 0, 1000 - s / 1000.0 + CASE WHEN s % 1000 = 0 THEN 5 ELSE 0 END, 1, s / ${N}.0, 2, 2, 0.5
       FROM generate_series(1, ${N}) AS s`,
      runId,
    );
  });
  after(async () => {
    await app?.close();
    await t?.drop();
  });

  it('thins 200,000 points to maxPoints buckets with exact min/max/last', async () => {
    const r = await api.get(`/v1/runs/${runId}/metrics?maxPoints=500`, key);
    assert.equal(r.status, 200);
    assert.equal(r.body.thinned, true);
    assert.equal(r.body.bucketWidth, 400);
    assert.equal(r.body.points.length, 500);
    assert.equal(r.body.nextCursor, null);
    assert.equal(r.body.points.reduce((s: number, p: any) => s + p.bucket.count, 0), N);
    const first = r.body.points[0];
    assert.deepEqual([first.bucket.fromStep, first.bucket.toStep, first.step], [1, 400, 400]);
    assert.equal(first.train.loss, 1000 - 400 / 1000);
    assert.equal(first.bucket.max.train.loss, 1000 - 1 / 1000);
    const withSpike = r.body.points[2];
    assert.equal(withSpike.bucket.max.train.loss, 1000 - 1000 / 1000 + 5);
    assert.ok(r.text.length < 500 * 1000, 'response stays small');
  });

  it('pages buckets with stable edges, and pages raw points', async () => {
    const all = (await api.get(`/v1/runs/${runId}/metrics?maxPoints=500`, key)).body.points;
    const paged: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await api.get(`/v1/runs/${runId}/metrics?maxPoints=500&limit=120${cursor ? `&cursor=${cursor}` : ''}`, key)).body;
      assert.ok(page.points.length <= 120);
      paged.push(...page.points);
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(paged, all);
    const raw = await api.get(`/v1/runs/${runId}/metrics?cursor=199990`, key);
    assert.deepEqual(raw.body.points.map((p: any) => p.step), [199991, 199992, 199993, 199994, 199995, 199996, 199997, 199998, 199999, 200000]);
    const capped = await api.get(`/v1/runs/${runId}/metrics`, key);
    assert.equal(capped.body.points.length, 1000);
    assert.equal(capped.body.nextCursor, '1000');
  });
});
