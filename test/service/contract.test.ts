// openapi.yaml is the contract: every documented (operation, status) pair is produced here by
// the real server and every body validates against the yaml's schemas. Also: the error codes
// in the yaml are exactly the catalogue's, and the spec schemas are the zod schema's.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { ERROR_CODES } from '../../src/api/errors.js';
import { searchSpecJsonSchemas, specJsonSchemas } from '../../src/api/specSchemas.js';
import { createQueue, createSearchQueue } from '../../src/queue/queue.js';
import { loadConfig, type ServiceConfig } from '../../src/runtime/config.js';
import { createLogger } from '../../src/runtime/logger.js';
import { advanceSearch } from '../../src/search/searchDriver.js';
import { apiClient } from '../helpers/apiClient.js';
import { Contract, openapiDoc } from '../helpers/openapiContract.js';
import { createTestDatabase, newKey, REDIS_URL, tinySpec, uniquePrefix, type TestDatabase } from '../helpers/serviceEnv.js';

const quiet = createLogger('test', 'silent');

describe('openapi.yaml contract', () => {
  let t: TestDatabase;
  const apps: FastifyInstance[] = [];
  const contract = new Contract();
  const prefix = uniquePrefix('contract');
  let config: ServiceConfig;

  const start = async (over: Partial<ServiceConfig> = {}, withDb = true) => {
    const app = await buildApp({ config: { ...config, ...over }, store: withDb ? t.store : undefined, logger: quiet, docs: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    apps.push(app);
    return apiClient(app.server, contract);
  };

  before(async () => {
    t = await createTestDatabase('contract');
    config = { ...loadConfig({}), databaseUrl: t.url, redisUrl: REDIS_URL, queuePrefix: prefix, logLevel: 'silent', metrics: 'open' };
  });
  after(async () => {
    for (const a of apps) await a.close();
    for (const q of [createQueue(config), createSearchQueue(config)]) {
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
    await t?.drop();
  });

  it('lists exactly the catalogue error codes, and the spec schemas derived from zod', () => {
    const codes = (openapiDoc.components.schemas.Error as any).properties.error.properties.code.enum;
    assert.deepEqual([...codes].sort(), Object.keys(ERROR_CODES).sort());
    const { input, output } = specJsonSchemas();
    assert.deepEqual(openapiDoc.components.schemas.ExperimentSpecInput, input, 'run `npm run openapi:spec` after changing the spec schema');
    assert.deepEqual(openapiDoc.components.schemas.ExperimentSpec, output, 'run `npm run openapi:spec` after changing the spec schema');
    const search = searchSpecJsonSchemas();
    assert.deepEqual(openapiDoc.components.schemas.SearchSpecInput, search.input, 'run `npm run openapi:spec` after changing the search schema');
    assert.deepEqual(openapiDoc.components.schemas.SearchSpec, search.output, 'run `npm run openapi:spec` after changing the search schema');
  });

  it('produces every documented status of every route, each body matching its schema', async () => {
    const api = await start();
    const key = await newKey(t.store, 'contract');
    const other = await newKey(t.store, 'contract-other');
    const spec = tinySpec();
    const missing = randomUUID();

    // Runs: create (202, idempotent 200, 409), list, read, history, artifacts, cancel.
    const created = await api.post('/v1/runs', key, { spec, name: 'c', tags: ['t'] }, { 'Idempotency-Key': 'c-1' });
    assert.equal(created.status, 202);
    const id = created.body.id;
    assert.equal((await api.post('/v1/runs', key, { spec, name: 'c', tags: ['t'] }, { 'Idempotency-Key': 'c-1' })).status, 200);
    assert.equal((await api.post('/v1/runs', key, { spec: { ...spec, seed: 3 } }, { 'Idempotency-Key': 'c-1' })).status, 409);
    assert.equal((await api.post('/v1/runs', key, { spec: { ...spec, seed: 'x' } })).status, 400);
    assert.equal((await api.post('/v1/runs', key, { spec, pad: 'x'.repeat(70_000) })).status, 413);
    assert.equal((await api.raw('/v1/runs', key, 'x', 'text/plain')).status, 415);
    assert.equal((await api.post('/v1/runs', undefined, { spec })).status, 401);

    // A finished run with history, written the way a worker writes it: claimed, then recorded under its lease.
    const pt = (step: number) => ({ step, epoch: step / 20, lr: 0.05, full: step % 20 === 0, train: { loss: 1, cost: 1.1, accuracy: 0.5 }, validation: { loss: 1.2, cost: 1.3, accuracy: 0.4 } });
    const result = { steps: 60, epochs: [], points: [], train: pt(0).train, validation: pt(0).validation, test: pt(0).train, trainSeconds: 0.03 };
    const claim = await t.store.runs.claim(id);
    assert.equal(claim.kind, 'run');
    const recorder = t.store.recorder(claim.kind === 'run' ? claim.lease : '');
    for (let e = 1; e <= 3; e++) {
      await recorder.commitEpochs([{ runId: id, summary: { epoch: e, step: 20 * e, lr: 0.05, trainSeconds: 0.01, train: pt(0).train, validation: pt(0).validation }, points: [pt(20 * e - 10), pt(20 * e)], checkpoint: new Uint8Array([e]) }], { step: 20 * e, epoch: e, secondsLeft: 1 });
    }
    await recorder.finish({
      runId: id,
      result,
      backend: 'ts',
      artifacts: () => [
        { name: 'result.json', contentType: 'application/json', body: Buffer.from('{"testAccuracy":0.5}') },
        { name: 'loss.svg', contentType: 'image/svg+xml', body: Buffer.from('<svg/>') },
      ],
      points: [],
    });

    for (const path of [`/v1/runs/${id}`, `/v1/runs/${id}/epochs`, `/v1/runs/${id}/metrics`, `/v1/runs/${id}/metrics?maxPoints=2`, `/v1/runs/${id}/artifacts`, `/v1/runs/${id}/artifacts/result.json`, `/v1/runs/${id}/artifacts/loss.svg`, '/v1/runs?sort=-validationAccuracy']) {
      assert.equal((await api.get(path, key)).status, 200, path);
    }
    for (const path of [`/v1/runs/${id}`, `/v1/runs/${id}/epochs`, `/v1/runs/${id}/metrics`, `/v1/runs/${id}/artifacts`, `/v1/runs/${id}/artifacts/result.json`]) {
      assert.equal((await api.get(path, other)).status, 404, path);
      assert.equal((await api.get(path.replace(id, 'nope'), key)).status, 400, path);
      assert.equal((await api.get(path)).status, 401, path);
    }
    assert.equal((await api.get('/v1/runs?limit=x', key)).status, 400);
    assert.equal((await api.get('/v1/runs')).status, 401);
    assert.equal((await api.post(`/v1/runs/${id}/cancel`, key)).status, 409);
    const second = await api.post('/v1/runs', key, { spec });
    assert.equal((await api.post(`/v1/runs/${second.body.id}/cancel`, key)).status, 202);
    assert.equal((await api.post(`/v1/runs/${missing}/cancel`, key)).status, 404);
    assert.equal((await api.post('/v1/runs/nope/cancel', key)).status, 400);
    assert.equal((await api.post(`/v1/runs/${id}/cancel`, undefined)).status, 401);

    // Gradient checks.
    const gc = await api.post('/v1/gradient-checks', key, { spec, features: 5, samples: 3 }, { 'Idempotency-Key': 'g-1' });
    assert.equal(gc.status, 202);
    assert.equal((await api.post('/v1/gradient-checks', key, { spec, features: 5, samples: 3 }, { 'Idempotency-Key': 'g-1' })).status, 200);
    assert.equal((await api.post('/v1/gradient-checks', key, { spec, features: 6 }, { 'Idempotency-Key': 'g-1' })).status, 409);
    assert.equal((await api.post('/v1/gradient-checks', key, { spec, h: 0 })).status, 400);
    assert.equal((await api.post('/v1/gradient-checks', key, { spec, pad: 'x'.repeat(70_000) })).status, 413);
    assert.equal((await api.raw('/v1/gradient-checks', key, 'x', 'text/plain')).status, 415);
    assert.equal((await api.post('/v1/gradient-checks', undefined, { spec })).status, 401);
    await t.db.gradientCheck.update({ where: { id: gc.body.id }, data: { status: 'succeeded', result: { method: 'centred', h: 1e-5, features: 5, samples: 3, sizes: [5, 16, 4], tensors: [{ name: 'W1', size: 80, relError: 1e-9, maxElementRelError: 1e-7, analyticNorm: 1 }], maxRelError: 1e-9 } } });
    assert.equal((await api.get(`/v1/gradient-checks/${gc.body.id}`, key)).status, 200);
    assert.equal((await api.get(`/v1/gradient-checks/${gc.body.id}`, other)).status, 404);
    assert.equal((await api.get('/v1/gradient-checks/nope', key)).status, 400);
    assert.equal((await api.get(`/v1/gradient-checks/${gc.body.id}`)).status, 401);

    // Searches: create (202, idempotent 200, 409), read, list, leaderboards, cancel. The first
    // stage is planned here in-process, as a worker's coordinator would.
    const searchReq = { name: 'cs', base: spec, space: { lambda: { values: [0.001, 0.01] } }, strategy: { kind: 'grid' } };
    const search = await api.post('/v1/searches', key, searchReq, { 'Idempotency-Key': 's-1' });
    assert.equal(search.status, 202);
    const sid = search.body.id;
    assert.equal((await api.post('/v1/searches', key, searchReq, { 'Idempotency-Key': 's-1' })).status, 200);
    assert.equal((await api.post('/v1/searches', key, { ...searchReq, name: 'other' }, { 'Idempotency-Key': 's-1' })).status, 409);
    assert.equal((await api.post('/v1/searches', key, { ...searchReq, space: { nope: { values: [1] } } })).status, 400);
    assert.equal((await api.post('/v1/searches', key, { ...searchReq, pad: 'x'.repeat(70_000) })).status, 413);
    assert.equal((await api.raw('/v1/searches', key, 'x', 'text/plain')).status, 415);
    assert.equal((await api.post('/v1/searches', undefined, searchReq)).status, 401);
    const step = await advanceSearch(t.store.searchStorage, sid, 1);
    const trials = await t.db.run.findMany({ where: { searchId: sid }, orderBy: { trialIndex: 'asc' } });
    assert.equal(trials.length, 2);
    const group = await t.store.searchStorage.claimGroup(step.released[0].id);
    await t.store.recorder(group!.lease).finish({ runId: trials[0].id, result, backend: 'ts', artifacts: () => [], points: [], objective: 0.4 });
    await t.db.run.update({ where: { id: trials[1].id }, data: { status: 'pruned', objective: 0.3, prunedAtStep: 20, trainLoss: 1, trainCost: 1, trainAccuracy: 0.3, validationLoss: 1, validationCost: 1, validationAccuracy: 0.3 } });
    for (const path of [`/v1/searches/${sid}`, '/v1/searches?status=queued,running', `/v1/searches/${sid}/leaderboard`, `/v1/searches/${sid}/leaderboard?metric=testAccuracy&stage=0&limit=5`, '/v1/leaderboard?dataset=synthetic', `/v1/runs?searchId=${sid}`, `/v1/runs/${trials[1].id}`]) {
      const r = await api.get(path, key);
      assert.equal(r.status, 200, path);
    }
    assert.equal((await api.get(`/v1/searches/${sid}/leaderboard`, key)).body.entries.length, 2);
    for (const path of [`/v1/searches/${sid}`, `/v1/searches/${sid}/leaderboard`]) {
      assert.equal((await api.get(path, other)).status, 404, path);
      assert.equal((await api.get(path.replace(sid, 'nope'), key)).status, 400, path);
      assert.equal((await api.get(path)).status, 401, path);
    }
    assert.equal((await api.get(`/v1/searches/${sid}/leaderboard?metric=x`, key)).status, 400);
    assert.equal((await api.get('/v1/searches?limit=0', key)).status, 400);
    assert.equal((await api.get('/v1/searches')).status, 401);
    assert.equal((await api.get('/v1/leaderboard?metric=x', key)).status, 400);
    assert.equal((await api.get('/v1/leaderboard')).status, 401);
    assert.equal((await api.post(`/v1/searches/${sid}/cancel`, key)).status, 202);
    const finishedSearch = await api.post('/v1/searches', key, { ...searchReq, name: 'done' });
    await t.db.search.update({ where: { id: finishedSearch.body.id }, data: { status: 'succeeded' } });
    assert.equal((await api.post(`/v1/searches/${finishedSearch.body.id}/cancel`, key)).status, 409);
    assert.equal((await api.post(`/v1/searches/${missing}/cancel`, key)).status, 404);
    assert.equal((await api.post('/v1/searches/nope/cancel', key)).status, 400);
    assert.equal((await api.post(`/v1/searches/${sid}/cancel`, undefined)).status, 401);

    // What the dashboard adds: notes and tags, live events, the project, compare, a run's checks,
    // the rung ladder and parameter importance.
    const annotated = await api.patch(`/v1/runs/${id}`, key, { notes: 'lr too high?', tags: ['keep'] });
    assert.equal(annotated.status, 200);
    assert.equal(annotated.body.notes, 'lr too high?');
    assert.equal((await api.patch(`/v1/runs/${id}`, key, { notes: 'x'.repeat(10_001) })).status, 400);
    assert.equal((await api.patch(`/v1/runs/${id}`, undefined, { notes: 'x' })).status, 401);
    assert.equal((await api.patch(`/v1/runs/${id}`, other, { notes: 'x' })).status, 404);
    assert.equal((await api.patch(`/v1/runs/${id}`, key, { notes: 'x'.repeat(70_000) })).status, 413);
    assert.equal((await api.raw(`/v1/runs/${id}`, key, 'x', 'text/plain', 'patch')).status, 415);
    const events = await api.get(`/v1/runs/${id}/events`, key);
    assert.equal(events.status, 200);
    assert.match(events.text, /event: run\ndata: /);
    assert.match(events.text, /id: 60\nevent: point/);
    assert.match(events.text, /event: end\ndata: \{"status":"succeeded"\}/);
    const resumed = await api.get(`/v1/runs/${id}/events`, key, { 'last-event-id': '50' });
    assert.deepEqual([...resumed.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])), [60], 'only the points after Last-Event-ID');
    assert.equal((await api.get(`/v1/runs/${id}/events`, key, { 'last-event-id': 'x' })).status, 400);
    assert.equal((await api.get(`/v1/runs/${id}/events`)).status, 401);
    assert.equal((await api.get(`/v1/runs/${id}/events`, other)).status, 404);
    assert.equal((await api.get('/v1/project', key)).status, 200);
    assert.equal((await api.get('/v1/project')).status, 401);
    const compared = await api.get(`/v1/metrics?runs=${id},${id}&maxPoints=4`, key);
    assert.equal(compared.status, 200);
    assert.equal(compared.body.series.length, 1, 'each run once');
    const buckets = (b: { series: { points: { bucket?: Record<string, unknown> }[] }[] }) => b.series[0].points.map((p) => p.bucket).filter((x) => x !== undefined);
    assert.ok(buckets(compared.body).length > 0 && buckets(compared.body).every((b) => 'min' in b && 'max' in b), 'thinned points carry their envelope by default');
    const lines = await api.get(`/v1/metrics?runs=${id}&maxPoints=4&envelope=false`, key);
    assert.equal(lines.status, 200);
    assert.deepEqual(
      buckets(lines.body),
      buckets(compared.body).map(({ fromStep, toStep, count }) => ({ fromStep, toStep, count })),
      'envelope=false: the same buckets without min and max',
    );
    assert.equal((await api.get(`/v1/metrics?runs=${id}&envelope=maybe`, key)).status, 400);
    assert.equal((await api.get('/v1/metrics', key)).status, 400);
    assert.equal((await api.get(`/v1/metrics?runs=${Array.from({ length: 21 }, () => randomUUID()).join(',')}`, key)).status, 400);
    assert.equal((await api.get(`/v1/metrics?runs=${id}`)).status, 401);
    assert.equal((await api.get(`/v1/metrics?runs=${id}`, other)).status, 404);
    const ofRun = await api.post('/v1/gradient-checks', key, { runId: id, features: 5, samples: 3 });
    assert.equal(ofRun.status, 202);
    assert.equal(ofRun.body.runId, id);
    assert.equal((await api.get(`/v1/gradient-checks?runId=${id}`, key)).body.gradientChecks[0].id, ofRun.body.id);
    assert.equal((await api.get('/v1/gradient-checks', key)).status, 400);
    assert.equal((await api.get(`/v1/gradient-checks?runId=${id}`)).status, 401);
    assert.equal((await api.get(`/v1/gradient-checks?runId=${id}`, other)).status, 404);
    // The project-wide stream never ends by itself: read its first change, then hang up.
    const port = (apps[0].server.address() as { port: number }).port;
    const live = await new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/runs/events', headers: { authorization: `Bearer ${key}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
          if (text.includes('event: run')) {
            req.destroy();
            resolve({ status: res.statusCode!, type: String(res.headers['content-type']), text });
          }
        });
        // A change to one of the project's runs, made once the stream is open.
        setTimeout(() => void api.patch(`/v1/runs/${id}`, key, { notes: 'seen live' }), 300);
      });
      req.on('error', reject);
      req.end();
    });
    contract.check('get', '/v1/runs/events', live.status, live.type, undefined);
    assert.match(live.text, /"notes":"seen live"/);
    assert.equal((await api.get('/v1/runs/events?x=1', key)).status, 400);
    assert.equal((await api.get('/v1/runs/events')).status, 401);
    for (const sub of ['rungs', 'importance', 'events']) {
      assert.equal((await api.get(`/v1/searches/${sid}/${sub}`, key)).status, 200, sub);
      assert.equal((await api.get(`/v1/searches/nope/${sub}`, key)).status, 400, sub);
      assert.equal((await api.get(`/v1/searches/${sid}/${sub}`)).status, 401, sub);
      assert.equal((await api.get(`/v1/searches/${sid}/${sub}`, other)).status, 404, sub);
    }

    // Operations.
    assert.equal((await api.get('/healthz')).status, 200);
    assert.equal((await api.get('/readyz')).status, 200);
    assert.equal((await api.get('/metrics')).status, 200);
    assert.equal((await (await start({ metrics: 'off' })).get('/metrics')).status, 404, 'off unless configured');
    const keyed = await start({ metrics: 'key', metricsKey: 'scrape-secret' });
    assert.equal((await keyed.get('/metrics')).status, 401);
    assert.equal((await keyed.get('/metrics', 'wrong-secret')).status, 401);
    assert.equal((await keyed.get('/metrics', 'scrape-secret')).status, 200);

    // 429 on every /v1 operation: a fresh key per operation and a budget of one request.
    const limited = await start({ rateLimitMax: 1 });
    const v1Calls: [string, (c: typeof limited, k: string) => Promise<unknown>][] = [
      ['createRun', (c, k) => c.post('/v1/runs', k, { spec })],
      ['listRuns', (c, k) => c.get('/v1/runs', k)],
      ['getRun', (c, k) => c.get(`/v1/runs/${id}`, k)],
      ['listEpochs', (c, k) => c.get(`/v1/runs/${id}/epochs`, k)],
      ['listMetrics', (c, k) => c.get(`/v1/runs/${id}/metrics`, k)],
      ['listArtifacts', (c, k) => c.get(`/v1/runs/${id}/artifacts`, k)],
      ['getArtifact', (c, k) => c.get(`/v1/runs/${id}/artifacts/result.json`, k)],
      ['cancelRun', (c, k) => c.post(`/v1/runs/${id}/cancel`, k)],
      ['createGradientCheck', (c, k) => c.post('/v1/gradient-checks', k, { spec, features: 5 })],
      ['getGradientCheck', (c, k) => c.get(`/v1/gradient-checks/${gc.body.id}`, k)],
      ['createSearch', (c, k) => c.post('/v1/searches', k, searchReq)],
      ['listSearches', (c, k) => c.get('/v1/searches', k)],
      ['getSearch', (c, k) => c.get(`/v1/searches/${sid}`, k)],
      ['getSearchLeaderboard', (c, k) => c.get(`/v1/searches/${sid}/leaderboard`, k)],
      ['cancelSearch', (c, k) => c.post(`/v1/searches/${sid}/cancel`, k)],
      ['getLeaderboard', (c, k) => c.get('/v1/leaderboard', k)],
      ['annotateRun', (c, k) => c.patch(`/v1/runs/${id}`, k, { notes: 'n' })],
      ['runEvents', (c, k) => c.get(`/v1/runs/${id}/events`, k)],
      ['getProject', (c, k) => c.get('/v1/project', k)],
      ['compareMetrics', (c, k) => c.get(`/v1/metrics?runs=${id}`, k)],
      ['listGradientChecks', (c, k) => c.get(`/v1/gradient-checks?runId=${id}`, k)],
      ['getSearchRungs', (c, k) => c.get(`/v1/searches/${sid}/rungs`, k)],
      ['getSearchImportance', (c, k) => c.get(`/v1/searches/${sid}/importance`, k)],
      ['searchEvents', (c, k) => c.get(`/v1/searches/${sid}/events`, k)],
      ['projectRunEvents', (c, k) => c.get('/v1/runs/events?x=1', k)],
    ];
    for (const [, call] of v1Calls) {
      const k = await newKey(t.store, 'contract');
      await call(limited, k);
      await call(limited, k);
    }

    // 500 (no details) on every /v1 operation and 503 from /readyz: Postgres and Redis unreachable.
    const u = new URL(t.url);
    u.pathname = `/ty_missing_${Date.now()}`;
    const broken = await start({ databaseUrl: u.toString(), redisUrl: 'redis://127.0.0.1:1' }, false);
    for (const [, call] of v1Calls) await call(broken, key);
    assert.equal((await broken.get('/readyz')).status, 503);

    // 503 with Retry-After (never a 500) on every /v1 operation while Postgres refuses connections.
    const refused = new URL(t.url);
    refused.port = '1';
    const down = await start({ databaseUrl: refused.toString() }, false);
    for (const [name, call] of v1Calls) {
      const r = (await call(down, key)) as { status: number; headers: Record<string, string> };
      assert.equal(r.status, 503, name);
      assert.equal(r.headers['retry-after'], '5', name);
    }

    const missingPairs = Contract.documented().filter((p) => !contract.covered.has(p));
    assert.deepEqual(missingPairs, [], 'documented responses never produced');
  });
});
