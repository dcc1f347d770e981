// A worker keeps its training process between jobs: the second job on the same CIFAR-10 files
// trains on the dataset already in memory (no second read from disk), in the same process, with
// results identical to a run trained alone on a fresh load.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { getPriority } from 'node:os';
import pg from 'pg';
import { after, before, test } from 'node:test';
import { trainReference } from '../helpers/referenceRun.js';
import { assertSameAsUninterrupted, readRun } from '../helpers/runHistory.js';
import { makeTempDir, writeBinaryLayout } from '../helpers/cifarFixtures.js';
import { newKey, waitFor } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

const spec = (seed: number, lambda: number) => ({
  name: `reuse-${seed}`,
  data: { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2'], holdout: 20, test: ['test_batch'] },
  model: { hidden: [8] },
  training: { batchSize: 20, lambda, schedule: { kind: 'constant', eta: 0.01, epochs: 2 }, evalsPerEpoch: 2 },
  seed,
});

/** The worker's JSON log lines with message `msg`. */
function logLines(output: string, msg: string): { pid: number; reused?: boolean; runId?: string }[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((l) => l.msg === msg);
}

let svc: TestService;
let key: string;
let pool: pg.Pool;
const dir = makeTempDir();
writeBinaryLayout(dir, { n: 100 });

before(async () => {
  svc = await startTestService('trainerreuse', { workerEnv: { CIFAR10_DIR: dir } });
  key = await newKey(svc.t.store, 'trainerreuse');
  pool = new pg.Pool({ connectionString: svc.t.url, max: 2 });
});
after(async () => {
  await pool?.end();
  await svc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the second job reuses the loaded dataset in the same training process; results as trained alone', async () => {
  const w = svc.spawnWorker();
  const ids: string[] = [];
  for (const [seed, lambda] of [[1, 0.001], [2, 0.01]] as const) {
    const created = await svc.api.post('/v1/runs', key, { spec: spec(seed, lambda) });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    ids.push(created.body.id);
    await waitFor(`run ${created.body.id} to finish`, async () => {
      const r = (await pool.query(`SELECT status::text AS s FROM runs WHERE id = $1`, [created.body.id])).rows[0];
      if (r.s === 'failed') throw new Error(`run failed:\n${svc.logs()}`);
      return r.s === 'succeeded';
    }, 60_000);
  }
  const loaded = logLines(w.output(), 'dataset loaded');
  const reused = logLines(w.output(), 'dataset reused from memory');
  assert.equal(loaded.length, 1, `read from disk once:\n${svc.logs()}`);
  assert.equal(reused.length, 1, 'the second job found it in memory');
  assert.equal(reused[0].pid, loaded[0].pid, 'the same training process');
  assert.notEqual(loaded[0].pid, w.child.pid, 'in the training process, not the worker');
  assert.equal(getPriority(loaded[0].pid), Math.min(19, getPriority(w.child.pid!) + 10), 'training runs 10 nicer than the worker (TRAINER_NICE)');
  // The worker logs a job's end after its last write: the run can read succeeded a moment earlier.
  const finished = await waitFor('both jobs to log their end', async () => {
    const lines = logLines(w.output(), 'job finished');
    return lines.length >= ids.length ? lines : null;
  }, 10_000);
  assert.deepEqual(finished.map((l) => l.runId), ids);

  for (const [i, id] of ids.entries()) {
    assertSameAsUninterrupted(await readRun(pool, id), trainReference(spec(i + 1, [0.001, 0.01][i]), dir), `run ${i + 1}`);
  }
});
