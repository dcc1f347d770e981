// kill -9 of a worker at each phase of a run's life, at the product's pause points
// (TRAINYARD_FAULT_PAUSE): planning a search stage (the coordinator, in the worker's main
// process), mid-epoch, between the last epoch and the final write, and during the artifact upload
// (both inside the training child). Killed three ways where it makes sense: the worker's main
// process alone (its training child must notice and exit), the main process and the child at once
// (the machine dies), and the child alone (the OOM killer: the worker retries the job itself).
// Then a fresh worker finishes the work: nothing lost, nothing stored twice, metrics and artifacts
// identical to an uninterrupted run, and the dead attempt's lease given up.
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, afterEach, before, describe, it, type TestContext } from 'node:test';
import { parseSpec, stepsPerEpoch } from '../../src/experiment/experimentSpec.js';
import { alive, waitForPause, waitGone, type FaultPhase } from '../helpers/faultPoints.js';
import { searchReference, trainReference, type ReferenceRun } from '../helpers/referenceRun.js';
import { assertSameAsUninterrupted, readRun } from '../helpers/runHistory.js';
import { referenceTrials, serviceTrials } from '../helpers/searchOutcome.js';
import { newKey, stopProcess, tinySpec, waitFor, type WorkerProcess } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

/** How a phase's process is killed. */
type Kill = 'worker' | 'machine' | 'trainer';

const spec = tinySpec({ epochs: 4, evalsPerEpoch: 4, seed: 31 });
const spe = (() => {
  const p = parseSpec(spec);
  assert.ok(p.ok);
  return stepsPerEpoch(p.spec);
})();

/** A small coarse-to-fine search (two stages and a retrain), trials of a few tenths of a second. */
const searchRequest = {
  name: 'faults-planning',
  base: {
    data: { dataset: 'synthetic', trainSize: 400, validationSize: 200, testSize: 200, features: 64, classes: 4, separation: 2 },
    model: { hidden: [16] },
    training: { batchSize: 20, schedule: { kind: 'cyclical', etaMin: 1e-4, etaMax: 0.05, stepSize: 20, cycles: 2 }, evalsPerEpoch: 2 },
    precision: 'float64',
    seed: 3,
  },
  space: { lambda: { logUniform: [-4, -1] } },
  strategy: { kind: 'coarseToFine', trials: 3, stages: 2, seed: 2, finalRetrain: { overrides: { cycles: 3 } } },
};

describe('kill -9 of a worker at each phase', () => {
  let svc: TestService;
  let key: string;
  let pool: pg.Pool;
  let reference: ReferenceRun;

  const row = async (id: string) => (await pool.query(`SELECT status::text AS status, lease_token, attempts, step FROM runs WHERE id = $1`, [id])).rows[0];
  const finished = (s: string) => ['succeeded', 'failed', 'cancelled'].includes(s);
  const killNow = (pids: number[]) => {
    for (const pid of pids) process.kill(pid, 'SIGKILL');
  };

  /** A scenario's workers, killed when it ends (also when it fails, so that none takes the next one's work). */
  let mine: WorkerProcess[] = [];
  const spawn = (env: Record<string, string> = {}) => {
    const w = svc.spawnWorker(env);
    mine.push(w);
    return w;
  };

  before(async () => {
    svc = await startTestService('faultkill');
    key = await newKey(svc.t.store, 'faultkill');
    pool = new pg.Pool({ connectionString: svc.t.url, max: 2 });
    reference = trainReference(spec);
  });
  afterEach(async () => {
    await Promise.all(mine.map((w) => stopProcess(w, 'SIGKILL')));
    mine = [];
  });
  after(async () => {
    await pool?.end();
    await svc?.stop();
  });

  /**
   * Kills `w` the given way while it waits at the pause (`pid`: the paused process); returns the
   * moment of the kill. A killed parent's training child must exit by itself.
   */
  async function kill(t: TestContext, w: WorkerProcess, pid: number, how: Kill): Promise<number> {
    const main = w.child.pid!;
    const t0 = Date.now();
    if (how === 'worker') {
      killNow([main]);
      await w.exited;
      if (pid !== main) {
        const ms = await waitGone(pid, 'the orphaned training child');
        t.diagnostic(`training child exited ${ms} ms after its worker was killed`);
      }
    } else if (how === 'machine') {
      killNow(pid === main ? [main] : [pid, main]);
      await w.exited;
      await waitGone(pid, 'the training child');
    } else {
      killNow([pid]);
      await waitGone(pid, 'the training child');
      assert.ok(alive(main), 'the worker survives its child');
    }
    return t0;
  }

  /** The dead attempt's lease is given up: the run is queued again or claimed under a new lease. */
  async function leaseHandedOver(t: TestContext, runId: string, dead: string, killedAt: number) {
    const r = await waitFor(`run ${runId} to leave the dead attempt's lease`, async () => {
      const x = await row(runId);
      return x.status !== 'running' || x.lease_token !== dead ? x : null;
    }, 30_000, 20);
    t.diagnostic(`dead lease given up ${Date.now() - killedAt} ms after the kill (run ${r.status}, attempts ${r.attempts})`);
  }

  const scenarios: [Exclude<FaultPhase, 'planning'>, Kill][] = [
    ['mid-epoch', 'worker'],
    ['mid-epoch', 'machine'],
    ['mid-epoch', 'trainer'],
    ['before-final-write', 'worker'],
    ['before-final-write', 'machine'],
    ['artifact-upload', 'worker'],
    ['artifact-upload', 'machine'],
  ];
  for (const [phase, how] of scenarios) {
    it(`${phase}, ${how === 'worker' ? "the worker's main process" : how === 'machine' ? 'worker and training child at once' : 'the training child alone'} SIGKILLed: resumed, same as uninterrupted`, async (t) => {
      const started = Date.now();
      const w1 = spawn({ TRAINYARD_FAULT_PAUSE: phase });
      const created = await svc.api.post('/v1/runs', key, { spec });
      assert.equal(created.status, 202);
      const id = created.body.id;
      let pid = await waitForPause(w1, phase);
      assert.notEqual(pid, w1.child.pid, 'the pause is in the training child');
      let at = await row(id);
      assert.equal(at.status, 'running');
      const stored = await readRun(pool, id);
      if (phase === 'mid-epoch') {
        assert.deepEqual(stored.epochs.map((e) => e.epoch), [1], 'paused in the second epoch');
        assert.ok(at.step >= spe && at.step <= spe + spe / 2, `progress ${at.step} in the second epoch`);
      } else {
        assert.equal(stored.epochs.length, reference.result.epochs.length, 'every epoch stored before the final write');
        assert.equal(stored.artifacts.size, 0, 'no artifact visible before the final write commits');
      }

      if (how === 'trainer') {
        const killedAt = await kill(t, w1, pid, 'trainer');
        // The worker retries the job itself: a new attempt, a new lease, resumed from the checkpoint, paused at the same place again.
        pid = await waitForPause(w1, phase, { nth: 2 });
        const again = await row(id);
        assert.notEqual(again.lease_token, at.lease_token, 'the retry took a new lease');
        assert.equal(again.attempts, 2);
        assert.deepEqual((await readRun(pool, id)).epochs.map((e) => e.epoch), [1], 'the retry resumed from the first epoch\'s checkpoint');
        t.diagnostic(`the worker retried the job ${Date.now() - killedAt} ms after its child was killed`);
        at = again;
      }
      const killedAt = await kill(t, w1, pid, how === 'trainer' ? 'machine' : how);
      assert.equal((await row(id)).status, 'running', 'the run still looks running: nobody has noticed yet');
      const w2 = spawn();
      await leaseHandedOver(t, id, at.lease_token, killedAt);
      const done = await waitFor(`run ${id} to finish`, async () => {
        const x = await row(id);
        return finished(x.status) ? x : null;
      }, 60_000, 50);
      t.diagnostic(`finished ${Date.now() - killedAt} ms after the kill; ${Date.now() - started} ms in all; attempts ${done.attempts}`);
      assert.equal(done.status, 'succeeded', svc.logs());
      assertSameAsUninterrupted(await readRun(pool, id), reference, `${phase}/${how}`);
      assert.equal(done.attempts, how === 'trainer' ? 3 : 2);
      assert.match(w2.output(), /resuming from checkpoint/, 'the fresh worker resumed from the checkpoint');
    });
  }

  it('planning (the coordinator in the main process) SIGKILLed: the search completes with the trials of an uninterrupted one', async (t) => {
    const expected = await searchReference(searchRequest, 1);
    assert.equal(expected.status, 'succeeded');
    const w1 = spawn({ TRAINYARD_FAULT_PAUSE: 'planning' });
    const created = await svc.api.post('/v1/searches', key, searchRequest);
    assert.equal(created.status, 202);
    const id = created.body.id;
    const pid = await waitForPause(w1, 'planning').catch((err) => {
      throw new Error(`${(err as Error).message}\n${w1.output().slice(-4000)}`);
    });
    assert.equal(pid, w1.child.pid, 'the coordinator plans in the main process');
    const killedAt = await kill(t, w1, pid, 'worker');
    const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table} WHERE search_id = $1`, [id])).rows[0].n);
    assert.deepEqual([await count('search_stages'), await count('runs')], [0, 0], 'the stage planned in the killed transaction was rolled back');
    spawn();
    const s = await waitFor(`search ${id} to finish`, async () => {
      const x = (await svc.api.get(`/v1/searches/${id}`, key)).body;
      return finished(x.status) ? x : null;
    }, 90_000, 100);
    t.diagnostic(`search finished ${Date.now() - killedAt} ms after the coordinator was killed`);
    assert.equal(s.status, 'succeeded', `${s.error}\n${svc.logs()}`);

    assert.deepEqual(await serviceTrials(svc.api, key, id), referenceTrials(expected), 'the same trials, outcomes and metrics as the uninterrupted search');
    assert.equal(await count('search_stages'), expected.stages.length, 'each stage planned once');
    assert.deepEqual(s.best.params, expected.best!.params);
    const board = (await svc.api.get(`/v1/searches/${id}/leaderboard?limit=100`, key)).body.entries;
    assert.equal(board.length, expected.trials.length);
    t.diagnostic(`${expected.stages.length} stages, ${expected.trials.length} trials, identical to the uninterrupted search`);
  });
});
