// Postgres restarted mid-run, on a private cluster of this test (the machine's Postgres is shared):
// the API keeps answering (2xx, or 503 with Retry-After, never 500), the trainer's writes wait
// for Postgres and land, and the run ends exactly as an uninterrupted one, in its first attempt.
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/freePort.js';
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/privatePostgres.js';
import { trainReference, type ReferenceRun } from '../helpers/referenceRun.js';
import { assertSameAsUninterrupted, readRun } from '../helpers/runHistory.js';
import { newKey, stopProcess, waitFor } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

const spec = {
  name: 'pg-restart',
  data: { dataset: 'synthetic', trainSize: 2000, validationSize: 300, testSize: 300, features: 1024, classes: 10, separation: 2 },
  model: { hidden: [64] },
  training: { batchSize: 50, lambda: 0.001, schedule: { kind: 'constant', eta: 0.02, epochs: 16 }, evalsPerEpoch: 5 },
  seed: 41,
};

interface Answer {
  at: number;
  path: string;
  status: number;
  retryAfter: string | undefined;
}

const why = privatePostgresUnavailable();

describe('Postgres restarted mid-run', { skip: why ?? false }, () => {
  let cluster: PrivatePostgres;
  let svc: TestService;
  let key: string;
  let reference: ReferenceRun;

  before(async () => {
    cluster = await startPrivatePostgres({ port: await freePort() });
    svc = await startTestService('faultpg', { pgBase: cluster.url() });
    key = await newKey(svc.t.store, 'faultpg');
    reference = trainReference(spec);
  });
  after(async () => {
    if (cluster && !cluster.running()) await cluster.start().catch(() => {});
    await svc?.stop();
    cluster?.destroy();
  });

  for (const mode of ['fast', 'immediate'] as const) {
    it(`pg_ctl stop -m ${mode}, 3 s down, start: the API answers 2xx or 503 + Retry-After throughout; the run completes as if uninterrupted, each epoch once`, async (t) => {
      const w = svc.spawnWorker();
      const created = await svc.api.post('/v1/runs', key, { spec });
      assert.equal(created.status, 202);
      const id = created.body.id;

      // Polls what a client polls, as fast as answers come, until told to stop.
      const answers: Answer[] = [];
      const paths = [`/v1/runs/${id}`, `/v1/runs/${id}/epochs`, `/v1/runs/${id}/metrics?limit=5000`, `/v1/runs?limit=5`, `/v1/runs/${id}/artifacts`];
      let polling = true;
      const poller = (async () => {
        for (let i = 0; polling; i++) {
          const path = paths[i % paths.length];
          const r = await svc.api.get(path, key);
          answers.push({ at: Date.now(), path, status: r.status, retryAfter: r.headers['retry-after'] });
          await new Promise((res) => setTimeout(res, 20));
        }
      })();

      const pool = new pg.Pool({ connectionString: svc.t.url, max: 1 });
      pool.on('error', () => {});
      const epochsStored = async () => Number((await pool.query('SELECT count(*) AS n FROM epochs WHERE run_id = $1', [id])).rows[0].n);
      let before: number;
      try {
        before = await waitFor('two epochs stored', async () => {
          const n = await epochsStored();
          return n >= 2 ? n : null;
        }, 60_000, 10);
      } finally {
        await pool.end();
      }
      const downAt = Date.now();
      const downMs = await cluster.restart({ mode, downMs: 3000 });
      const upAt = Date.now();
      t.diagnostic(`Postgres stopped (${mode}) with ${before} of 16 epochs stored, back after ${downMs} ms`);

      const done = await waitFor(`run ${id} to finish`, async () => {
        const r = await svc.api.get(`/v1/runs/${id}`, key);
        return r.status === 200 && ['succeeded', 'failed', 'cancelled'].includes(r.body.status) ? r.body : null;
      }, 90_000, 100);
      polling = false;
      await poller;
      t.diagnostic(`run finished ${Date.now() - upAt} ms after Postgres came back`);

      const bad = answers.filter((a) => !(a.status >= 200 && a.status < 300) && !(a.status === 503 && a.retryAfter));
      assert.deepEqual(bad, [], 'every answer 2xx, or 503 with Retry-After');
      const unavailable = answers.filter((a) => a.status === 503);
      assert.ok(unavailable.length > 0, 'the API noticed the outage');
      assert.ok(unavailable.every((a) => a.at >= downAt), 'no 503 before the restart');
      const last503 = Math.max(...unavailable.map((a) => a.at));
      t.diagnostic(`${answers.length} answers: ${answers.length - unavailable.length} 2xx, ${unavailable.length} 503 with Retry-After (${[...new Set(unavailable.map((a) => a.retryAfter))].join(', ')} s), 0 others; last 503 ${last503 - upAt} ms after Postgres was back`);

      assert.equal(done.status, 'succeeded', `${done.error}\n${svc.logs()}\n${cluster.log()}`);
      assert.equal(done.attempts, 1, 'the outage cost no attempt: the writes waited for Postgres');
      const check = new pg.Pool({ connectionString: svc.t.url, max: 2 });
      try {
        assertSameAsUninterrupted(await readRun(check, id), reference, 'Postgres restarted');
      } finally {
        await check.end();
      }
      assert.ok(before < 16, 'restarted mid-run');
      assert.doesNotMatch(w.output(), /"level":50/, 'no error logged by the worker');
      await stopProcess(w, 'SIGTERM');
    });
  }
});
