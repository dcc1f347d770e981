// The API without workers: a table of bad requests (right 4xx, a message naming the field,
// nothing written), auth and project isolation, idempotent retries, list filters, and the
// error paths (rate limit, 5xx without details, readiness).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/api/app.js';
import { createQueue } from '../../src/queue/queue.js';
import { createLogger } from '../../src/runtime/logger.js';
import { apiClient } from '../helpers/apiClient.js';
import { Contract } from '../helpers/openapiContract.js';
import { newKey, tinySpec, type TestDatabase } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

const quiet = createLogger('test', 'silent');

describe('API', () => {
  let svc: TestService;
  let t: TestDatabase;
  let api: ReturnType<typeof apiClient>;
  let key: string;
  const contract = new Contract();
  const config = () => svc.config;

  before(async () => {
    svc = await startTestService('api', { docs: true, config: { metrics: 'open' } });
    ({ t, api } = svc);
    key = await newKey(t.store, 'alpha');
  });
  after(async () => {
    await svc?.stop();
  });

  const spec = tinySpec();
  const withSpec = (patch: (s: any) => void) => {
    const s = structuredClone(spec) as any;
    patch(s);
    return { spec: s };
  };

  type Case = { name: string; send: () => Promise<{ status: number; body: any }>; status: number; code: string; mentions: string };
  const cases: Case[] = [
    { name: 'malformed JSON', send: () => api.raw('/v1/runs', key, '{"spec": {'), status: 400, code: 'invalid_json', mentions: 'JSON' },
    { name: 'empty JSON body', send: () => api.raw('/v1/runs', key, ''), status: 400, code: 'invalid_json', mentions: 'empty' },
    { name: 'body is an array', send: () => api.post('/v1/runs', key, [spec]), status: 400, code: 'invalid_request', mentions: 'JSON object' },
    { name: 'body is a string', send: () => api.raw('/v1/runs', key, '"run it"'), status: 400, code: 'invalid_request', mentions: 'JSON object' },
    { name: 'prototype pollution', send: () => api.raw('/v1/runs', key, '{"spec": {}, "__proto__": {"admin": true}}'), status: 400, code: 'invalid_json', mentions: 'JSON' },
    { name: 'no spec', send: () => api.post('/v1/runs', key, { name: 'x' }), status: 400, code: 'invalid_spec', mentions: 'spec' },
    { name: 'spec is a number', send: () => api.post('/v1/runs', key, { spec: 3 }), status: 400, code: 'invalid_spec', mentions: 'spec' },
    { name: 'unknown top-level field', send: () => api.post('/v1/runs', key, { spec, colour: 'red' }), status: 400, code: 'invalid_request', mentions: 'colour' },
    { name: 'unknown spec field', send: () => api.post('/v1/runs', key, withSpec((s) => (s.training.learningRate = 0.1))), status: 400, code: 'invalid_spec', mentions: 'learningRate' },
    { name: 'batch size as a string', send: () => api.post('/v1/runs', key, withSpec((s) => (s.training.batchSize = '20'))), status: 400, code: 'invalid_spec', mentions: 'spec.training.batchSize' },
    { name: 'batch size zero', send: () => api.post('/v1/runs', key, withSpec((s) => (s.training.batchSize = 0))), status: 400, code: 'invalid_spec', mentions: 'spec.training.batchSize' },
    { name: 'batch size above the training set', send: () => api.post('/v1/runs', key, withSpec((s) => (s.training.batchSize = 1000))), status: 400, code: 'invalid_spec', mentions: 'spec.training.batchSize' },
    { name: 'negative lambda', send: () => api.post('/v1/runs', key, withSpec((s) => (s.training.lambda = -1))), status: 400, code: 'invalid_spec', mentions: 'spec.training.lambda' },
    { name: '10,000 hidden layers', send: () => api.post('/v1/runs', key, withSpec((s) => (s.model.hidden = Array(10000).fill(1)))), status: 400, code: 'invalid_spec', mentions: 'spec.model.hidden' },
    { name: '100 hidden layers', send: () => api.post('/v1/runs', key, withSpec((s) => (s.model.hidden = Array(100).fill(4)))), status: 400, code: 'invalid_spec', mentions: 'spec.model.hidden' },
    { name: 'hidden layer too wide', send: () => api.post('/v1/runs', key, withSpec((s) => (s.model.hidden = [100000]))), status: 400, code: 'invalid_spec', mentions: 'spec.model.hidden.0' },
    { name: 'unknown dataset', send: () => api.post('/v1/runs', key, withSpec((s) => (s.data = { dataset: 'mnist' }))), status: 400, code: 'invalid_spec', mentions: 'spec.data.dataset' },
    { name: 'unknown schedule kind', send: () => api.post('/v1/runs', key, withSpec((s) => (s.training.schedule = { kind: 'cosine', eta: 0.1, epochs: 2 }))), status: 400, code: 'invalid_spec', mentions: 'spec.training.schedule.kind' },
    { name: 'cyclical without stepSize', send: () => api.post('/v1/runs', key, withSpec((s) => (s.training.schedule = { kind: 'cyclical', etaMin: 0, etaMax: 0.1, cycles: 1 }))), status: 400, code: 'invalid_spec', mentions: 'spec.training.schedule.stepSize' },
    {
      name: 'days of work',
      send: () => api.post('/v1/runs', key, withSpec((s) => ((s.data.features = 3072), (s.model.hidden = [4096, 4096]), (s.training.schedule = { kind: 'cyclical', etaMin: 0, etaMax: 0.1, stepSize: 1000000, cycles: 200 })))),
      status: 400,
      code: 'invalid_spec',
      mentions: 'spec.training.schedule',
    },
    { name: 'float16 precision', send: () => api.post('/v1/runs', key, withSpec((s) => (s.precision = 'float16'))), status: 400, code: 'invalid_spec', mentions: 'spec.precision' },
    { name: 'negative seed', send: () => api.post('/v1/runs', key, withSpec((s) => (s.seed = -1))), status: 400, code: 'invalid_spec', mentions: 'spec.seed' },
    { name: 'momentum 1', send: () => api.post('/v1/runs', key, withSpec((s) => (s.training.momentum = 1))), status: 400, code: 'invalid_spec', mentions: 'spec.training.momentum' },
    { name: 'tags not an array', send: () => api.post('/v1/runs', key, { spec, tags: 'a,b' }), status: 400, code: 'invalid_request', mentions: 'tags' },
    { name: 'tag with spaces', send: () => api.post('/v1/runs', key, { spec, tags: ['two words'] }), status: 400, code: 'invalid_request', mentions: 'tags.0' },
    { name: 'name too long', send: () => api.post('/v1/runs', key, { spec, name: 'x'.repeat(300) }), status: 400, code: 'invalid_request', mentions: 'name' },
    { name: 'huge body', send: () => api.post('/v1/runs', key, { spec, name: 'x', padding: 'y'.repeat(100_000) }), status: 413, code: 'payload_too_large', mentions: 'bytes' },
    { name: 'text/plain body', send: () => api.raw('/v1/runs', key, 'spec', 'text/plain'), status: 415, code: 'unsupported_media_type', mentions: 'application/json' },
    { name: 'Idempotency-Key too long', send: () => api.post('/v1/runs', key, { spec }, { 'Idempotency-Key': 'k'.repeat(300) }), status: 400, code: 'invalid_request', mentions: 'Idempotency-Key' },
    { name: 'two problems at once', send: () => api.post('/v1/runs', key, withSpec((s) => ((s.training.lambda = -1), (s.seed = 'x')))), status: 400, code: 'invalid_spec', mentions: 'spec.seed' },
    { name: 'run id not a UUID', send: () => api.get('/v1/runs/42', key), status: 400, code: 'invalid_request', mentions: 'path.id' },
    { name: 'cancel with a bad id', send: () => api.post('/v1/runs/abc/cancel', key), status: 400, code: 'invalid_request', mentions: 'path.id' },
    { name: 'limit zero', send: () => api.get('/v1/runs?limit=0', key), status: 400, code: 'invalid_request', mentions: 'query.limit' },
    { name: 'unknown status filter', send: () => api.get('/v1/runs?status=done', key), status: 400, code: 'invalid_request', mentions: 'query.status' },
    { name: 'unknown sort field', send: () => api.get('/v1/runs?sort=colour', key), status: 400, code: 'invalid_request', mentions: 'query.sort' },
    { name: 'lambdaMax not a number', send: () => api.get('/v1/runs?lambdaMax=small', key), status: 400, code: 'invalid_request', mentions: 'query.lambdaMax' },
    { name: 'unknown query parameter', send: () => api.get('/v1/runs?colour=red', key), status: 400, code: 'invalid_request', mentions: 'colour' },
    { name: 'cursor not a UUID', send: () => api.get('/v1/runs?cursor=page2', key), status: 400, code: 'invalid_request', mentions: 'query.cursor' },
    { name: 'maxPoints 1', send: () => api.get(`/v1/runs/${randomUUID()}/metrics?maxPoints=1`, key), status: 400, code: 'invalid_request', mentions: 'query.maxPoints' },
    { name: 'epochs limit too high', send: () => api.get(`/v1/runs/${randomUUID()}/epochs?limit=5000`, key), status: 400, code: 'invalid_request', mentions: 'query.limit' },
    { name: 'artifact name with a slash', send: () => api.get(`/v1/runs/${randomUUID()}/artifacts/..%2Fetc`, key), status: 400, code: 'invalid_request', mentions: 'path.name' },
    { name: 'gradient check: too many samples', send: () => api.post('/v1/gradient-checks', key, { spec, samples: 1000 }), status: 400, code: 'invalid_request', mentions: 'samples' },
    { name: 'gradient check: network too big', send: () => api.post('/v1/gradient-checks', key, { spec: withSpec((s) => (s.model.hidden = [2000])).spec, features: 64 }), status: 400, code: 'invalid_request', mentions: 'features' },
    { name: 'gradient check: bad spec', send: () => api.post('/v1/gradient-checks', key, { spec: withSpec((s) => (s.model.activation = { kind: 'tanh' })).spec }), status: 400, code: 'invalid_spec', mentions: 'spec.model.activation' },
    { name: 'gradient check: id not a UUID', send: () => api.get('/v1/gradient-checks/xyz', key), status: 400, code: 'invalid_request', mentions: 'path.id' },
  ];

  it(`rejects ${cases.length} bad requests with the right 4xx, a message naming the field, and writes nothing`, async () => {
    assert.ok(cases.length >= 25);
    for (const c of cases) {
      const r = await c.send();
      assert.equal(r.status, c.status, `${c.name}: status ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, c.code, `${c.name}: code`);
      const text = r.body.error.message + ' ' + JSON.stringify(r.body.error.problems ?? []);
      assert.ok(text.includes(c.mentions), `${c.name}: "${c.mentions}" not in ${text}`);
    }
    assert.equal(await t.db.run.count(), 0);
    assert.equal(await t.db.gradientCheck.count(), 0);
    const q = createQueue(config());
    const counts = await q.getJobCounts();
    await q.close();
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 0, 'no job enqueued');
  });

  it('lists every spec problem at once with its path', async () => {
    const r = await api.post('/v1/runs', key, withSpec((s) => ((s.training.batchSize = 0), (s.model.batchNorm = 'sometimes'), (s.seed = 1.5))));
    assert.equal(r.status, 400);
    const paths = r.body.error.problems.map((p: { path: string }) => p.path).sort();
    assert.deepEqual(paths, ['spec.model.batchNorm', 'spec.seed', 'spec.training.batchSize']);
  });

  it('401 without a key, with a bad key, a malformed header or a revoked key', async () => {
        for (const headers of [{}, { Authorization: 'Bearer ty_nope' }, { Authorization: `Basic ${key}` }, { Authorization: 'Bearer' }] as Record<string, string>[]) {
      const r = await api.get('/v1/runs', undefined, headers);
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, 'unauthorized');
    }
    const r = await api.post('/v1/runs', undefined, { spec });
    assert.equal(r.status, 401);
    const revoked = await t.store.keys.create('alpha');
    await t.store.keys.revoke(revoked.prefix);
    assert.equal((await api.get('/v1/runs', revoked.key)).status, 401);
    assert.equal(await t.db.run.count(), 0);
  });

  it("another project's run is a 404 everywhere", async () => {
    const other = await newKey(t.store, 'beta');
    const created = await api.post('/v1/runs', key, { spec, tags: ['mine'] });
    assert.equal(created.status, 202);
    assert.equal(created.body.status, 'queued');
    assert.equal(created.headers['location'], `/v1/runs/${created.body.id}`);
    const id = created.body.id;
    assert.equal((await api.get(`/v1/runs/${id}`, key)).status, 200);
    for (const path of [`/v1/runs/${id}`, `/v1/runs/${id}/epochs`, `/v1/runs/${id}/metrics`, `/v1/runs/${id}/artifacts`, `/v1/runs/${id}/artifacts/result.json`]) {
      const r = await api.get(path, other);
      assert.equal(r.status, 404, path);
      assert.equal(r.body.error.code, 'not_found');
    }
    assert.equal((await api.post(`/v1/runs/${id}/cancel`, other)).status, 404);
    assert.equal((await api.get('/v1/runs', other)).body.runs.length, 0);
    assert.equal((await api.get(`/v1/runs/${randomUUID()}`, key)).status, 404);
    assert.equal((await api.get(`/v1/gradient-checks/${randomUUID()}`, key)).status, 404);
    const unknownRoute = await api.get('/v1/nothing', key).catch((e: Error) => e);
    assert.ok(unknownRoute instanceof Error && /not in openapi.yaml/.test(unknownRoute.message));
  });

  it('an Idempotency-Key returns the same run on retries, also when they race', async () => {
    const h = { 'Idempotency-Key': 'retry-1' };
    const first = await api.post('/v1/runs', key, { spec, name: 'idem' }, h);
    assert.equal(first.status, 202);
    const again = await api.post('/v1/runs', key, { spec, name: 'idem' }, h);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    const racing = await Promise.all(Array.from({ length: 6 }, () => api.post('/v1/runs', key, { spec, name: 'race' }, { 'Idempotency-Key': 'race-1' })));
    assert.equal(new Set(racing.map((r) => r.body.id)).size, 1);
    assert.equal(racing.filter((r) => r.status === 202).length, 1);
    const conflict = await api.post('/v1/runs', key, { spec: { ...spec, seed: 99 }, name: 'idem' }, h);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.error.code, 'conflict');
    const otherProject = await api.post('/v1/runs', await newKey(t.store, 'gamma'), { spec, name: 'idem' }, h);
    assert.equal(otherProject.status, 202);
    assert.notEqual(otherProject.body.id, first.body.id);
    assert.equal(await t.db.run.count({ where: { idempotencyKey: { in: ['retry-1', 'race-1'] } } }), 3);
    const gc1 = await api.post('/v1/gradient-checks', key, { spec, features: 8, samples: 4 }, { 'Idempotency-Key': 'gc-1' });
    const gc2 = await api.post('/v1/gradient-checks', key, { spec, features: 8, samples: 4 }, { 'Idempotency-Key': 'gc-1' });
    assert.equal(gc1.status, 202);
    assert.equal(gc2.status, 200);
    assert.equal(gc2.body.id, gc1.body.id);
    assert.equal((await api.post('/v1/gradient-checks', key, { spec, features: 9 }, { 'Idempotency-Key': 'gc-1' })).status, 409);
    assert.equal((await api.get(`/v1/gradient-checks/${gc1.body.id}`, key)).body.status, 'queued');
  });

  it('filters, sorts and pages the run list', async () => {
    const k = await newKey(t.store, 'lister');
    const ids: string[] = [];
    for (const [i, lambda] of [0.001, 0.01, 0.1, 0.5].entries()) {
      const r = await api.post('/v1/runs', k, { spec: { ...spec, training: { ...spec.training, lambda } }, tags: i % 2 ? ['odd', 'x'] : ['even', 'x'] });
      ids.push(r.body.id);
      await t.db.run.update({ where: { id: r.body.id }, data: { status: 'succeeded', validationAccuracy: 0.3 + i * 0.1, testAccuracy: 0.3, trainAccuracy: 0.3, validationLoss: 1, testLoss: 1, trainLoss: 1, validationCost: 1, testCost: 1, trainCost: 1 } });
    }
    const q = async (qs: string) => {
      const r = await api.get(`/v1/runs?${qs}`, k);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    };
    assert.equal((await q('lambdaMax=0.01')).runs.length, 2);
    assert.equal((await q('lambdaMin=0.05&validationAccuracyMin=0.55')).runs.length, 1);
    assert.equal((await q('tag=odd')).runs.length, 2);
    assert.equal((await q('tag=odd,x&status=succeeded,failed')).runs.length, 2);
    assert.equal((await q('status=queued')).runs.length, 0);
    const best = await q('sort=-validationAccuracy&limit=1');
    assert.equal(best.runs[0].id, ids[3]);
    assert.equal(best.runs[0].metrics.test.accuracy, 0.3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { runs: { id: string }[]; nextCursor: string | null } = await q(`sort=lambda&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.runs.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ids);
  });

  it('serves /healthz, /readyz, /metrics and /docs without a key', async () => {
    assert.deepEqual((await api.get('/healthz')).body, { status: 'ok' });
    assert.equal((await api.get('/readyz')).status, 200);
    const m = await api.get('/metrics');
    assert.equal(m.status, 200);
    assert.match(m.text, /trainyard_http_requests_total\{method="POST",route="\/v1\/runs",status="400"\}/);
    assert.match(m.text, /trainyard_runs\{status="queued"\}/);
    assert.match(m.text, /trainyard_queue_jobs\{state="waiting"\}/);
    const docs = await api.get('/docs/json');
    assert.equal(docs.status, 200);
    assert.equal(docs.body.info.title, 'Trainyard API');
  });

  it('rate-limits per key with 429', async () => {
    const limited = await buildApp({ config: { ...config(), databaseUrl: t.url, rateLimitMax: 3 }, store: t.store, logger: quiet, docs: false });
    await limited.listen({ port: 0, host: '127.0.0.1' });
    try {
      const c = apiClient(limited.server, contract);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await c.get(`/v1/runs/${randomUUID()}`, key)).status);
      assert.deepEqual(statuses, [404, 404, 404, 429]);
      assert.equal((await c.get(`/v1/runs/${randomUUID()}`, await newKey(t.store, 'alpha'))).status, 404, 'another key has its own budget');
    } finally {
      await limited.close();
    }
  });

  it('answers 500 without details and 503 when a dependency is down', async () => {
    const u = new URL(t.url);
    u.pathname = `/ty_missing_${Date.now()}`;
    const broken = await buildApp({ config: { ...config(), databaseUrl: u.toString(), redisUrl: 'redis://127.0.0.1:1' }, logger: quiet, docs: false });
    await broken.listen({ port: 0, host: '127.0.0.1' });
    try {
      const c = apiClient(broken.server, contract);
      const r = await c.get('/v1/runs', key);
      assert.equal(r.status, 500);
      assert.equal(r.body.error.code, 'internal');
      assert.doesNotMatch(r.text, /database|prisma|ty_missing|stack|at /i);
      assert.ok(r.body.error.message.includes(r.headers['x-request-id']));
      const ready = await c.get('/readyz');
      assert.equal(ready.status, 503);
      assert.match(ready.body.error.message, /Postgres and Redis are unreachable/);
    } finally {
      await broken.close();
    }
  });
});
