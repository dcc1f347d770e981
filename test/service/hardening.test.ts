// The defects a hostile user found, each against the real API (issue 9): inputs that got a 500,
// unauthenticated floods never limited, cursors that leaked another project's runs, LIKE
// wildcards, request ids echoed unchecked, artifacts without nosniff or a CSP, stale "running".
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/api/app.js';
import { createLogger } from '../../src/runtime/logger.js';
import { apiClient } from '../helpers/apiClient.js';
import { Contract } from '../helpers/openapiContract.js';
import { newKey, tinySpec, waitFor, type TestDatabase } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

/** A POST with exact bytes (supertest re-encodes strings). */
function rawPost(port: number, path: string, key: string, body: Buffer): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('hardening: inputs that used to get a 500, and leaks', () => {
  let svc: TestService;
  let t: TestDatabase;
  let key: string;
  let port: number;
  const search = (space: Record<string, unknown>) => ({ base: tinySpec(), space, strategy: { kind: 'random', trials: 2 } });
  const expect400 = async (r: { status: number; body: any }, path: string) => {
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.ok(r.body.error.problems?.some((p: any) => p.path === path) || r.body.error.message.includes(path), `${path} in ${JSON.stringify(r.body.error)}`);
  };

  before(async () => {
    svc = await startTestService('hardening', { config: { authFailuresMax: 20 } });
    t = svc.t;
    key = await newKey(t.store, 'hardening');
    port = (svc.app.server.address() as { port: number }).port;
  });
  after(async () => {
    await svc?.stop();
  });

  it('NUL and lone surrogates in names are a 400 naming the field, and nothing is stored', async () => {
    const { api } = svc;
    await expect400(await api.post('/v1/runs', key, { spec: tinySpec(), name: 'a\u0000b' }), 'name');
    await expect400(await api.post('/v1/runs', key, { spec: { ...tinySpec(), name: 'x\u0000' } }), 'spec.name');
    await expect400(await rawPost(port, '/v1/runs', key, Buffer.from(`{"spec": ${JSON.stringify({ ...tinySpec(), name: 'PLACEHOLDER' }).replace('PLACEHOLDER', '\\ud800')}}`)), 'spec.name');
    await expect400(await api.post('/v1/searches', key, { ...search({ lambda: { values: [0.1] } }), name: '\u0000' }), 'name');
    await expect400(await api.get('/v1/runs?name=%00', key), 'query.name');
    assert.equal(await t.db.run.count(), 0);
    assert.equal(await t.db.search.count(), 0);
  });

  it('search parameters named after Object.prototype members are unknown parameters, not a crash', async () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
      await expect400(await svc.api.post('/v1/searches', key, search({ [name]: { values: [1] } })), `space.${name}`);
    }
  });

  it('deeply nested values, invalid UTF-8 and numbers too large to represent are 400s', async () => {
    const deep = '['.repeat(5000) + '1' + ']'.repeat(5000);
    const body = Buffer.from(`{"base": ${JSON.stringify(tinySpec())}, "space": {"lambda": {"values": [${deep}]}}, "strategy": {"kind": "grid"}}`);
    const r = await rawPost(port, '/v1/searches', key, body);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.error.message, /nested deeper than 32 levels/);
    const invalidUtf8 = Buffer.concat([Buffer.from('{"spec": {"name": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    const bad = await rawPost(port, '/v1/runs', key, invalidUtf8);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_json');
    assert.match(bad.body.error.message, /UTF-8/);
    await expect400(await svc.api.get('/v1/runs?lambdaMin=1e999', key), 'query.lambdaMin');
    await expect400(await rawPost(port, '/v1/runs', key, Buffer.from(`{"spec": {"training": {"lambda": 1e999}}}`)), 'spec.training.lambda');
    assert.equal(await t.db.search.count(), 0);
  });

  it('a bad finalRetrain override key is rejected at POST (it used to leave the search running for ever)', async () => {
    const r = await svc.api.post('/v1/searches', key, { base: tinySpec(), space: { lambda: { logUniform: [-3, -1] } }, strategy: { kind: 'coarseToFine', trials: 2, stages: 1, finalRetrain: { overrides: { cyclez: 3 } } } });
    await expect400(r, 'strategy.finalRetrain.overrides.cyclez');
    const bad = await svc.api.post('/v1/searches', key, { base: tinySpec(), space: { lambda: { logUniform: [-3, -1] } }, strategy: { kind: 'coarseToFine', trials: 2, stages: 1, finalRetrain: { overrides: { 'training.batchSize': 0 } } } });
    await expect400(bad, 'strategy.finalRetrain.overrides.training.batchSize');
  });

  it('a grid larger than the budget and a work-bound-breaking spec are rejected at POST with the limit and the excess', async () => {
    const grid = await svc.api.post('/v1/searches', key, { base: tinySpec(), space: { seed: { intRange: { min: 0, max: 4294967295 } } }, strategy: { kind: 'grid' } });
    await expect400(grid, 'space');
    assert.match(grid.body.error.message, /4294967296 points, more than budget.maxTrials \(200\)/);
    const endless = await svc.api.post('/v1/runs', key, { spec: { ...tinySpec(), training: { schedule: { kind: 'cyclical', etaMin: 0, etaMax: 0.1, stepSize: 1_000_000, cycles: 200 } } } });
    await expect400(endless, 'spec.training.schedule');
    assert.match(endless.body.error.message, /4\.00e\+8 updates, 200x the limit/);
    const huge = await svc.api.post('/v1/runs', key, { spec: { data: { dataset: 'synthetic', trainSize: 200000, validationSize: 200000, testSize: 200000, features: 12288 } } });
    await expect400(huge, 'spec.data');
    const wide = await svc.api.post('/v1/runs', key, { spec: { data: { dataset: 'synthetic', trainSize: 1000 }, model: { hidden: Array(32).fill(4096) } } });
    await expect400(wide, 'spec.model.hidden');
    assert.equal(await t.db.run.count(), 0);
  });

  it('unauthenticated floods are limited per address (429 with Retry-After) without a lookup per request; known keys go on', async () => {
    // Its own app: the flood must not limit the other tests' address.
    const app = await buildApp({ config: { ...svc.config, authFailuresMax: 20 }, store: t.store, logger: createLogger('test', 'silent'), docs: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const api = apiClient(app.server, new Contract());
      assert.equal((await api.get('/v1/runs', key)).status, 200);
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await api.get('/v1/runs', `ty_${randomUUID()}`)).status);
      assert.deepEqual([...new Set(statuses.slice(0, 20))], [401]);
      assert.deepEqual([...new Set(statuses.slice(20))], [429], 'past the limit: 429, not one more key lookup');
      const limited = await api.get('/v1/runs', 'ty_other');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal((await api.get('/v1/runs', key)).status, 200, 'a key already known to be valid is not held up');
    } finally {
      await app.close();
    }
  });

  it('cursors are opaque and scoped to the project and sort: another project\'s run id, garbage or another sort is a 400', async () => {
    const other = await newKey(t.store, 'hardening-other');
    const { api } = svc;
    const mine = await api.post('/v1/runs', other, { spec: tinySpec() });
    await api.post('/v1/runs', other, { spec: tinySpec({ seed: 2 }) });
    const theirs = (await api.get('/v1/runs?limit=1', other)).body;
    assert.ok(theirs.nextCursor);
    // Probing with another project's run id (the old cursor) proves nothing: a 400.
    const fresh = await newKey(t.store, 'hardening-prober');
    await expect400(await api.get(`/v1/runs?cursor=${mine.body.id}`, fresh), 'query.cursor');
    await expect400(await api.get(`/v1/runs?cursor=${theirs.nextCursor}`, fresh), 'query.cursor');
    await expect400(await api.get(`/v1/runs?cursor=${theirs.nextCursor}&sort=name`, other), 'query.cursor');
    await expect400(await api.get('/v1/runs?cursor=bm90LWEtY3Vyc29y', other), 'query.cursor');
    await expect400(await api.get('/v1/searches?cursor=bm90LWEtY3Vyc29y', other), 'query.cursor');
    const second = await api.get(`/v1/runs?limit=1&cursor=${theirs.nextCursor}`, other);
    assert.equal(second.status, 200);
    assert.equal(second.body.runs.length, 1);
    assert.notEqual(second.body.runs[0].id, theirs.runs[0].id);
  });

  it('LIKE wildcards in name= match themselves', async () => {
    const k = await newKey(t.store, 'hardening-like');
    for (const name of ['50% lr', 'plain', 'a_b']) await svc.api.post('/v1/runs', k, { spec: tinySpec(), name });
    const names = async (q: string) => (await svc.api.get(`/v1/runs?name=${encodeURIComponent(q)}`, k)).body.runs.map((r: any) => r.name).sort();
    assert.deepEqual(await names('%'), ['50% lr']);
    assert.deepEqual(await names('_'), ['a_b']);
    assert.deepEqual(await names('a'), ['a_b', 'plain']);
  });

  it('request ids are echoed only when they look like one; every response says nosniff', async () => {
    const ok = await svc.api.get('/healthz', undefined, { 'x-request-id': 'trace-42' });
    assert.equal(ok.headers['x-request-id'], 'trace-42');
    const bad = await svc.api.get('/healthz', undefined, { 'x-request-id': 'x'.repeat(500) });
    assert.match(bad.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    assert.equal(bad.headers['x-content-type-options'], 'nosniff');
  });

  it('artifacts are served with nosniff and a CSP that runs nothing', async () => {
    const k = await newKey(t.store, 'hardening-artifacts');
    const r = await svc.api.post('/v1/runs', k, { spec: tinySpec() });
    const claim = await t.store.runs.claim(r.body.id);
    assert.ok(claim.kind === 'run');
    const m = { loss: 1, cost: 1, accuracy: 0.5 };
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    await t.store.recorder(claim.lease).finish({ runId: r.body.id, result: { steps: 1, epochs: [], points: [], train: m, validation: m, test: m, trainSeconds: 0 }, backend: 'ts', artifacts: () => [{ name: 'loss.svg', contentType: 'image/svg+xml', body: svg }], points: [] });
    const a = await svc.api.get(`/v1/runs/${r.body.id}/artifacts/loss.svg`, k);
    assert.equal(a.status, 200);
    assert.equal(a.headers['x-content-type-options'], 'nosniff');
    assert.match(a.headers['content-security-policy'], /default-src 'none'.*sandbox/);
  });

  it('thinning a run whose steps go past 2^31 / width does not overflow (it used an int32 bound)', async () => {
    const k = await newKey(t.store, 'hardening-long');
    const r = await svc.api.post('/v1/runs', k, { spec: tinySpec() });
    for (const step of [1, 2_100_000_000]) {
      await t.db.metricPoint.create({ data: { runId: r.body.id, step, epoch: 0, lr: 0.1, full: false, trainLoss: 1, trainCost: 1, trainAccuracy: 0.5, validationLoss: 1, validationCost: 1, validationAccuracy: 0.5 } });
    }
    const thin = await svc.api.get(`/v1/runs/${r.body.id}/metrics?maxPoints=2&limit=1`, k);
    assert.equal(thin.status, 200, JSON.stringify(thin.body));
    assert.equal(thin.body.points.length, 1);
  });

  it('a run whose worker stopped writing says it is waiting to resume', async () => {
    const k = await newKey(t.store, 'hardening-stale');
    const r = await svc.api.post('/v1/runs', k, { spec: tinySpec() });
    await t.db.run.update({ where: { id: r.body.id }, data: { status: 'running', step: 7, updatedAt: new Date(Date.now() - 60_000) } });
    const stale = (await svc.api.get(`/v1/runs/${r.body.id}`, k)).body;
    assert.match(stale.statusDetail, /no progress for \d+ s: its worker may have stopped; the run resumes elsewhere/);
    // A write by another process, as a worker's is: the API sees it once Postgres announces it.
    await t.db.run.update({ where: { id: r.body.id }, data: { updatedAt: new Date() } });
    await waitFor('the fresh progress to show', async () => (await svc.api.get(`/v1/runs/${r.body.id}`, k)).body.statusDetail === null, 5000, 10);
  });
});
