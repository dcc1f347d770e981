// Runs through real worker processes: the lifecycle (progress, epochs, metrics, artifacts),
// cancel, failure with a useful message, gradient checks, SIGKILL and SIGTERM of a worker
// mid-run (resumed from the checkpoint, each epoch once, same final metrics as an
// uninterrupted run), and a Redis restart while a run is queued.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { selectKernels } from '../../src/nativeKernels/selectKernels.js';
import { createTraining } from '../../src/core/training/training.js';
import type { TrainingResult } from '../../src/core/training/metrics.js';
import { loadDataset } from '../../src/dataFiles/loadDataset.js';
import { createQueue } from '../../src/queue/queue.js';
import { parseSpec, stepsPerEpoch } from '../../src/experiment/experimentSpec.js';
import type { apiClient } from '../helpers/apiClient.js';
import { ensureRedis, newKey, REDIS_URL, restartRedis, stopProcess, tinySpec, waitFor, type TestDatabase, type WorkerProcess } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

/** What an uninterrupted run of the spec gives, trained in this process like a worker would. */
function trainInProcess(specInput: unknown): TrainingResult {
  const parsed = parseSpec(specInput);
  assert.ok(parsed.ok);
  const { kernels } = selectKernels({ threads: 1 });
  const training = createTraining({ spec: parsed.spec, data: loadDataset(parsed.spec, undefined), kernels });
  const gen = training.run();
  let r = gen.next();
  while (!r.done) r = gen.next();
  return r.value;
}

/** A run of `epochs` epochs of roughly 0.3-0.4 s each on whichever backend the workers use. */
function slowSpec(epochs: number, seed = 11) {
  const native = selectKernels({ threads: 1 }).kernels.backend === 'native';
  const [trainSize, features, hidden] = native ? [4000, 3072, 128] : [2000, 1024, 64];
  return {
    name: 'slow',
    data: { dataset: 'synthetic', trainSize, validationSize: 500, testSize: 500, features, classes: 10, separation: 2 },
    model: { hidden: [hidden] },
    training: { batchSize: 50, lambda: 0.001, schedule: { kind: 'constant', eta: 0.02, epochs }, evalsPerEpoch: 5 },
    seed,
  };
}

describe('runs through real workers', () => {
  let svc: TestService;
  let t: TestDatabase;
  let api: ReturnType<typeof apiClient>;
  let key: string;
  let prefix: string;
  let workers: WorkerProcess[];
  const emptyCifar = mkdtempSync(join(tmpdir(), 'ty-empty-cifar-'));
  const spawnWorker = () => svc.spawnWorker();
  const run = async (id: string) => (await api.get(`/v1/runs/${id}`, key)).body;
  const waitRun = (id: string, what: string, pred: (r: any) => boolean, ms = 60_000) =>
    waitFor(`run ${id} ${what}`, async () => {
      const r = await run(id);
      return pred(r) ? r : null;
    }, ms);
  const finished = (r: any) => ['succeeded', 'failed', 'cancelled'].includes(r.status);

  before(async () => {
    svc = await startTestService('life', { workerEnv: { CIFAR10_DIR: emptyCifar } });
    ({ t, api, prefix, workers } = svc);
    key = await newKey(t.store, 'life');
  });
  after(async () => {
    await svc?.stop();
    rmSync(emptyCifar, { recursive: true, force: true });
  });

  it('trains a run to success: progress, epochs, metrics (raw, paged, thinned), artifacts', async () => {
    spawnWorker();
    const spec = tinySpec({ epochs: 3, evalsPerEpoch: 4 });
    const created = await api.post('/v1/runs', key, { spec, tags: ['life'] });
    assert.equal(created.status, 202);
    const done = await waitRun(created.body.id, 'finished', finished, 30_000);
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal(done.attempts, 1);
    assert.deepEqual(done.progress, { epoch: 3, epochs: 3, step: 60, steps: 60, fraction: 1, secondsLeft: 0 });
    const reference = trainInProcess(spec);
    assert.deepEqual(done.metrics, { train: reference.train, validation: reference.validation, test: reference.test });

    const epochs = (await api.get(`/v1/runs/${done.id}/epochs`, key)).body.epochs;
    assert.deepEqual(epochs.map((e: any) => e.epoch), [1, 2, 3]);
    assert.deepEqual(epochs.map((e: any) => e.validation), reference.epochs.map((e) => e.validation));

    const raw = (await api.get(`/v1/runs/${done.id}/metrics`, key)).body;
    assert.equal(raw.thinned, false);
    assert.equal(raw.points.length, 1 + 3 * 4);
    assert.deepEqual(raw.points.map((p: any) => p.step), reference.points.map((p) => p.step));
    const paged: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await api.get(`/v1/runs/${done.id}/metrics?limit=5${cursor ? `&cursor=${cursor}` : ''}`, key)).body;
      paged.push(...page.points);
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(paged, raw.points);
    const thin = (await api.get(`/v1/runs/${done.id}/metrics?maxPoints=4`, key)).body;
    assert.equal(thin.thinned, true);
    assert.ok(thin.points.length <= 4);
    assert.equal(thin.points.reduce((s: number, p: any) => s + p.bucket.count, 0), 13);
    assert.equal(thin.points.at(-1).step, 60);
    const maxLoss = Math.max(...raw.points.map((p: any) => p.train.loss));
    assert.equal(Math.max(...thin.points.map((p: any) => p.bucket.max.train.loss)), maxLoss);

    const arts = (await api.get(`/v1/runs/${done.id}/artifacts`, key)).body.artifacts.map((a: any) => a.name).sort();
    assert.deepEqual(arts, ['accuracy.svg', 'cost.svg', 'learning-rate.svg', 'loss.svg', 'result.json', 'weights.json']);
    const result = await api.get(`/v1/runs/${done.id}/artifacts/result.json`, key);
    assert.equal(result.body.testAccuracy, reference.test.accuracy);
    const svg = await api.get(`/v1/runs/${done.id}/artifacts/loss.svg`, key);
    assert.match(svg.headers['content-type'], /image\/svg\+xml/);
    assert.equal((await api.get(`/v1/runs/${done.id}/artifacts/nothing.txt`, key)).status, 404);
    const cancelDone = await api.post(`/v1/runs/${done.id}/cancel`, key);
    assert.equal(cancelDone.status, 409);
    assert.ok((await api.get('/v1/runs?status=succeeded&tag=life', key)).body.runs.some((r: any) => r.id === done.id));
  });

  it('shows progress and evaluation points as they happen, and cancels (queued at once, running at the next step)', async () => {
    const created = await api.post('/v1/runs', key, { spec: slowSpec(40) });
    const id = created.body.id;
    const queued = await api.post('/v1/runs', key, { spec: tinySpec() });
    const cancelledQueued = await api.post(`/v1/runs/${queued.body.id}/cancel`, key);
    assert.equal(cancelledQueued.status, 202);
    assert.equal(cancelledQueued.body.status, 'cancelled');

    await waitRun(id, 'running', (r) => r.status === 'running' && r.progress.step > 0, 30_000);
    // Points become visible one flush at a time while the run trains, not all at its end (how soon
    // after each evaluation is a figure of bench:ui, not an assertion here).
    const counts = new Set<number>();
    let seen = 0;
    await waitFor('points to appear in three separate writes while running', async () => {
      const [points, r] = await Promise.all([api.get(`/v1/runs/${id}/metrics?limit=5000`, key), run(id)]);
      assert.equal(r.status, 'running', 'the run is still training while its points appear');
      seen = points.body.points.length;
      if (seen > 0) counts.add(seen);
      return counts.size >= 3;
    }, 30_000, 50);
    const mid = await run(id);
    assert.equal(mid.status, 'running');
    assert.ok(mid.progress.fraction > 0 && mid.progress.fraction < 1);
    assert.equal(typeof mid.progress.secondsLeft, 'number');

    const cancel = await api.post(`/v1/runs/${id}/cancel`, key);
    assert.equal(cancel.status, 202);
    assert.equal(cancel.body.cancelRequested, true);
    const stopped = await waitRun(id, 'cancelled', finished, 30_000);
    assert.equal(stopped.status, 'cancelled');
    // Stopped a few steps after the request (the trainer looks about four times a second), long before the end.
    const stepsPerEpoch = stopped.progress.steps / 40;
    assert.ok(stopped.progress.step <= cancel.body.progress.step + 5 * stepsPerEpoch, `stops soon after the request: step ${stopped.progress.step}, requested at ${cancel.body.progress.step}`);
    assert.equal(stopped.attempts, 1, 'training for longer than the 2 s job lock never let the job stall');
    assert.ok(stopped.progress.step < stopped.progress.steps);
    const points = (await api.get(`/v1/runs/${id}/metrics?limit=5000`, key)).body.points;
    assert.ok(points.length >= seen, 'recorded points stay');
    assert.equal((await api.post(`/v1/runs/${id}/cancel`, key)).status, 202);
  });

  it('fails a run whose dataset is missing, with a message saying what is wrong', async () => {
    const spec = {
      data: { dataset: 'cifar10', train: ['data_batch_1'], validation: ['data_batch_2'], test: ['test_batch'] },
      model: { hidden: [50], batchNorm: 'none', activation: { kind: 'relu' }, init: { kind: 'he' } },
      training: { batchSize: 100, lambda: 0.01, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 800, cycles: 3 }, evalsPerEpoch: 10 },
      seed: 1,
    };
    const created = await api.post('/v1/runs', key, { name: 'two-layer-cyclic', spec });
    assert.equal(created.status, 202);
    const failed = await waitRun(created.body.id, 'finished', finished, 30_000);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error, /cifar10/);
    assert.ok(failed.error.includes(emptyCifar), failed.error);
    assert.ok(failed.finishedAt);
  });

  it('runs a gradient check as a job', async () => {
    const created = await api.post('/v1/gradient-checks', key, { spec: { ...tinySpec(), model: { hidden: [6], batchNorm: 'before' } }, features: 10, samples: 5 });
    assert.equal(created.status, 202);
    const done = await waitFor('gradient check', async () => {
      const r = (await api.get(`/v1/gradient-checks/${created.body.id}`, key)).body;
      return r.status === 'succeeded' || r.status === 'failed' ? r : null;
    });
    assert.equal(done.status, 'succeeded', done.error);
    assert.deepEqual(done.result.tensors.map((x: any) => x.name).sort(), ['W1', 'W2', 'b2', 'beta1', 'gamma1'].sort());
    assert.ok(done.result.maxRelError < 1e-6, `maxRelError ${done.result.maxRelError}`);
  });

  it('SIGKILL of a worker mid-run: resumed from the checkpoint, each epoch once, same final metrics', async () => {
    const spec = slowSpec(8);
    const reference = trainInProcess(spec);
    const w = workers.find((x) => x.child.exitCode === null)!;
    const created = await api.post('/v1/runs', key, { spec });
    const id = created.body.id;
    await waitFor('two epochs stored', async () => (await t.db.epoch.count({ where: { runId: id } })) >= 2, 60_000, 20);
    const spe = stepsPerEpoch(parseSpec(spec).ok ? (parseSpec(spec) as any).spec : null);
    await new Promise((r) => setTimeout(r, 150));
    w.child.kill('SIGKILL');
    await w.exited;
    const atKill = await run(id);
    assert.equal(atKill.status, 'running');
    assert.ok(atKill.progress.step > 2 * spe - 1);
    spawnWorker();
    const done = await waitRun(id, 'finished', finished, 60_000);
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal(done.attempts, 2);
    const epochs = (await api.get(`/v1/runs/${id}/epochs`, key)).body.epochs;
    assert.deepEqual(epochs.map((e: any) => e.epoch), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(epochs.map((e: any) => [e.train, e.validation]), reference.epochs.map((e) => [e.train, e.validation]));
    const points = (await api.get(`/v1/runs/${id}/metrics?limit=5000`, key)).body.points;
    assert.deepEqual(points.map((p: any) => p.step), reference.points.map((p) => p.step));
    assert.deepEqual(done.metrics, { train: reference.train, validation: reference.validation, test: reference.test });
  });

  it('SIGTERM: the worker checkpoints mid-epoch, hands the run back and exits; another worker finishes it', async () => {
    const spec = slowSpec(6, 12);
    const reference = trainInProcess(spec);
    const w = workers.find((x) => x.child.exitCode === null && x.child.signalCode === null)!;
    const created = await api.post('/v1/runs', key, { spec });
    const id = created.body.id;
    await waitRun(id, 'in its second epoch', (r) => r.progress.step > r.progress.steps / 6 + 5, 60_000);
    w.child.kill('SIGTERM');
    const exit = await w.exited;
    assert.equal(exit.code, 0, w.output().slice(-2000));
    const handed = await run(id);
    const log = () => w.output().slice(-3000);
    assert.equal(handed.status, 'queued', log());
    const ck = await t.db.checkpoint.findUnique({ where: { runId: id } });
    assert.ok(ck && ck.step === handed.progress.step && ck.step > 0, `checkpoint at the step it stopped: ${ck?.step} vs ${handed.progress.step}\n${log()}`);
    const next = spawnWorker();
    const done = await waitRun(id, 'finished', finished, 60_000);
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal(done.attempts, 2, `${JSON.stringify(done)}\n${log()}\n${next.output().slice(-3000)}`);
    assert.deepEqual(done.metrics, { train: reference.train, validation: reference.validation, test: reference.test });
    const stored = (await t.db.epoch.findMany({ where: { runId: id }, orderBy: { epoch: 'asc' } })).map((e) => [e.epoch, e.step]);
    assert.equal(stored.length, 6, `epochs stored ${JSON.stringify(stored)}\n${log()}\n${next.output().slice(-3000)}`);
  });

  it('Redis restarted while a run is queued: the run still completes', async () => {
    await Promise.all(workers.map((w) => stopProcess(w, 'SIGTERM')));
    const created = await api.post('/v1/runs', key, { spec: tinySpec({ seed: 21 }) });
    const id = created.body.id;
    const q = createQueue({ redisUrl: REDIS_URL, queuePrefix: prefix, queueName: 'jobs' });
    try {
      assert.ok(await q.getJob(id), 'queued in Redis');
      try {
        await restartRedis();
      } finally {
        await ensureRedis();
      }
      assert.equal(await q.getJob(id), undefined, 'Redis lost the job');
    } finally {
      await q.close();
    }
    assert.equal((await run(id)).status, 'queued');
    spawnWorker();
    const done = await waitRun(id, 'finished', finished, 30_000);
    assert.equal(done.status, 'succeeded', done.error);
  });
});
