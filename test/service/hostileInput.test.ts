// Generated hostile input against the real API (fast-check): structurally valid specs with
// hostile values, random JSON and random bytes for every POST, random query strings and path
// segments for every GET. Every answer is 2xx or 4xx with the error shape, never 5xx; a rejected
// request stores nothing; an accepted spec is within every bound.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import { workProblems } from '../../src/experiment/workBounds.js';
import { newKey, tinySpec, type TestDatabase } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

interface Answer {
  status: number;
  body: any;
}

function send(port: number, method: string, path: string, key: string, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${key}` };
    if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': body.length });
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // a non-JSON answer (an artifact, /metrics text) stays text
        }
        resolve({ status: res.statusCode!, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Values a hostile client puts where the API expects sane ones. */
const hostileLeaf = fc.oneof(
  fc.constantFrom(0, -1, -0, 1e308, -1e308, 5e-324, 2 ** 31, 2 ** 53 + 1, 1e21, Number.MAX_SAFE_INTEGER),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('\u0000', '\ud800', 'a\udfffb', '%', '_', "'; DROP TABLE runs; --", '../../etc/passwd', 'toString', '__proto__', 'constructor'),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 3 }),
);

/** A copy of `value` with one leaf (or subtree) at a random path replaced by a hostile value. */
function withHostileValue(value: unknown, pathIndex: number, leaf: unknown): unknown {
  const paths: string[][] = [];
  const walk = (v: unknown, at: string[]) => {
    paths.push(at);
    if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...at, k]);
  };
  walk(value, []);
  const target = paths[pathIndex % paths.length];
  if (target.length === 0) return leaf;
  const copy = structuredClone(value) as Record<string, unknown>;
  let node = copy;
  for (const k of target.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[target[target.length - 1]] = leaf;
  return copy;
}

const runBody = () => ({ spec: tinySpec(), name: 'n', tags: ['t'] });
const searchBody = () => ({ name: 's', base: tinySpec(), space: { lambda: { logUniform: [-3, -1] }, etaMax: { values: [0.01, 0.05] } }, strategy: { kind: 'coarseToFine', trials: 2, stages: 1, finalRetrain: { overrides: { 'training.schedule.epochs': 4 } } }, budget: { maxTrials: 10, maxParallel: 2 }, pruning: { kind: 'successiveHalving', reduction: 2 } });
const checkBody = () => ({ spec: tinySpec(), features: 5, samples: 3, h: 1e-5, method: 'centred' });

const QUERY_NAMES = ['status', 'tag', 'dataset', 'schedule', 'batchNorm', 'hiddenLayers', 'name', 'lambdaMin', 'lambdaMax', 'validationAccuracyMin', 'testAccuracyMax', 'searchId', 'stage', 'sort', 'limit', 'cursor', 'withTotal', 'maxPoints', 'metric', 'toString', '__proto__'];
const queryValue = fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.double().map(String), fc.constantFrom('1e999', '-1', '%00', '%ff', '%', '_', '-createdAt', 'running,queued', 'true', '00000000-0000-0000-0000-000000000000'));
// Malformed percent escapes go on the wire as they are; everything else is encoded (a raw space
// or control character is not a request an HTTP client can send).
const RAW_VALUES = new Set(['%00', '%ff', '%']);
const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), fc.string({ maxLength: 6 })), queryValue), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${RAW_VALUES.has(v) ? v : encodeURIComponent(v)}`).join('&'));
const segment = fc.oneof(fc.uuid(), fc.string({ maxLength: 10 }).map(encodeURIComponent), fc.constantFrom('..', '%2e%2e', '%00', 'result.json', '00000000-0000-0000-0000-000000000000'));

describe('generated hostile input: never a 5xx, rejected requests store nothing', () => {
  let svc: TestService;
  let t: TestDatabase;
  let key: string;
  let port: number;
  let requests = 0;
  let accepted = 0;
  let realRunId = '';
  let realSearchId = '';
  const started = performance.now();

  const rows = async () => {
    const [runs, searches, checks] = await Promise.all([t.db.run.count(), t.db.search.count(), t.db.gradientCheck.count()]);
    return runs + searches + checks;
  };
  const checkAnswer = (r: Answer, what: string) => {
    requests++;
    assert.ok(r.status < 500, `${what} -> ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    if (r.status >= 400) {
      assert.equal(typeof r.body?.error?.code, 'string', `${what}: error shape`);
      assert.equal(typeof r.body?.error?.message, 'string', `${what}: error shape`);
    }
  };
  const post = async (path: string, body: Buffer, what: string) => {
    const before = await rows();
    const r = await send(port, 'POST', path, key, body);
    checkAnswer(r, what);
    const grew = (await rows()) - before;
    if (r.status >= 300) assert.equal(grew, 0, `${what}: rejected but stored ${grew} row(s)`);
    else {
      accepted++;
      const spec = r.body.spec?.base ?? r.body.spec;
      const parsed = parseSpec(spec);
      assert.ok(parsed.ok && workProblems(parsed.spec).length === 0, `${what}: accepted a spec outside the bounds`);
    }
  };

  before(async () => {
    svc = await startTestService('hostile', { config: { rateLimitMax: 1_000_000, authFailuresMax: 1_000_000 } });
    t = svc.t;
    key = await newKey(t.store, 'hostile');
    port = (svc.app.server.address() as { port: number }).port;
    realRunId = (await send(port, 'POST', '/v1/runs', key, Buffer.from(JSON.stringify(runBody())))).body.id;
    realSearchId = (await send(port, 'POST', '/v1/searches', key, Buffer.from(JSON.stringify(searchBody())))).body.id;
  });
  after(async () => {
    console.log(`# hostile input: ${requests} requests (${accepted} accepted), 0 5xx, 0 rows stored by rejected requests, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await svc?.stop();
  });

  for (const [path, make] of [
    ['/v1/runs', runBody],
    ['/v1/searches', searchBody],
    ['/v1/gradient-checks', checkBody],
  ] as const) {
    it(`POST ${path}: valid bodies with one hostile value, random JSON, random bytes`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), hostileLeaf, async (at, leaf) => post(path, Buffer.from(JSON.stringify(withHostileValue(make(), at, leaf))), `POST ${path} hostile value`)),
        { numRuns: 300 },
      );
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (v) => post(path, Buffer.from(JSON.stringify(v)), `POST ${path} random JSON ${JSON.stringify(v).slice(0, 80)}`)),
        { numRuns: 150 },
      );
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => post(path, Buffer.from(bytes), `POST ${path} random bytes`)),
        { numRuns: 100 },
      );
    });
  }

  it('GET every route with generated query strings and path segments', async () => {
    const routes = (id: string, sid: string) => [
      '/v1/runs',
      `/v1/runs/${id}`,
      `/v1/runs/${id}/epochs`,
      `/v1/runs/${id}/metrics`,
      `/v1/runs/${id}/artifacts`,
      `/v1/runs/${id}/artifacts/result.json`,
      `/v1/gradient-checks/${id}`,
      '/v1/searches',
      `/v1/searches/${sid}`,
      `/v1/searches/${sid}/leaderboard`,
      '/v1/leaderboard',
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat(), query, fc.oneof(fc.constant(realRunId), segment), fc.oneof(fc.constant(realSearchId), segment), async (i, q, id, sid) => {
        const list = routes(id, sid);
        const path = `${list[i % list.length]}${q ? `?${q}` : ''}`;
        checkAnswer(await send(port, 'GET', path, key), `GET ${path}`);
      }),
      { numRuns: 700 },
    );
    assert.ok(requests >= 2000, `at least 2,000 requests (${requests})`);
  });
});
