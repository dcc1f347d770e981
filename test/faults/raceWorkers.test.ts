// Two workers racing for the same run. The race is forced, not hoped for:
//   - worker A is frozen (SIGSTOP, its main process and training child: a VM paused) mid-epoch;
//     its BullMQ lock expires, worker B takes the job over under a new lease and trains on; A is
//     thawed (SIGCONT) while B still owns the run, and trains on too;
//   - the same, with A frozen inside its final write (artifacts half written, uncommitted);
//   - the run's job added a second time under another job id: two workers claim it at once.
// Each time the run ends with one history, that of an uninterrupted run, and the attempt that
// lost its lease changes nothing (its epochs are not stored, progress never goes backwards).
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, afterEach, before, describe, it } from 'node:test';
import { parseSpec, stepsPerEpoch } from '../../src/experiment/experimentSpec.js';
import { createQueue, enqueue } from '../../src/queue/queue.js';
import { pausesAt, waitForPause, waitJobEnded } from '../helpers/faultPoints.js';
import { trainReference, type ReferenceRun } from '../helpers/referenceRun.js';
import { assertSameAsUninterrupted, readRun } from '../helpers/runHistory.js';
import { newKey, stopProcess, tinySpec, waitFor, type WorkerProcess } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

const spec = tinySpec({ epochs: 12, evalsPerEpoch: 4, seed: 51 });
const spe = (() => {
  const p = parseSpec(spec);
  assert.ok(p.ok);
  return stepsPerEpoch(p.spec);
})();

/** The log lines of one process (workers and their training children share an output). */
const linesOf = (w: WorkerProcess, pid: number) => w.output().split('\n').filter((l) => l.includes(`"pid":${pid},`));

describe('two workers racing for the same run', () => {
  let svc: TestService;
  let key: string;
  let pool: pg.Pool;
  let reference: ReferenceRun;
  let mine: WorkerProcess[] = [];
  const spawn = (env: Record<string, string> = {}) => {
    const w = svc.spawnWorker(env);
    mine.push(w);
    return w;
  };
  const row = async (id: string) => (await pool.query(`SELECT status::text AS status, lease_token, attempts, step FROM runs WHERE id = $1`, [id])).rows[0];
  const epochCount = async (id: string) => Number((await pool.query(`SELECT count(*) AS n FROM epochs WHERE run_id = $1`, [id])).rows[0].n);
  const waitFinished = (id: string) =>
    waitFor(`run ${id} to finish`, async () => {
      const x = await row(id);
      return ['succeeded', 'failed', 'cancelled'].includes(x.status) ? x : null;
    }, 60_000, 50);

  /** Records the run's progress every few ms from now on; stop() returns the steps seen. */
  function watchProgress(id: string) {
    const steps: number[] = [];
    let on = true;
    const loop = (async () => {
      while (on) {
        steps.push((await row(id)).step);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    return async () => {
      on = false;
      await loop;
      return steps;
    };
  }
  const assertNeverBack = (steps: number[], what: string) => {
    const back = steps.findIndex((s, i) => i > 0 && s < steps[i - 1]);
    assert.equal(back, -1, `${what}: progress went from step ${steps[back - 1]} back to ${steps[back]}`);
  };

  before(async () => {
    svc = await startTestService('faultrace');
    key = await newKey(svc.t.store, 'faultrace');
    pool = new pg.Pool({ connectionString: svc.t.url, max: 3 });
    reference = trainReference(spec);
  });
  afterEach(async () => {
    for (const w of mine) for (const pid of [w.child.pid!, ...pausedPids(w)]) tryKill(pid, 'SIGCONT');
    await Promise.all(mine.map((w) => stopProcess(w, 'SIGKILL')));
    mine = [];
  });
  after(async () => {
    await pool?.end();
    await svc?.stop();
  });

  it('A frozen mid-epoch, B takes over, A thawed while B owns the run: A\'s writes change nothing', async (t) => {
    const a = spawn({ TRAINYARD_FAULT_PAUSE: 'mid-epoch' });
    const created = await svc.api.post('/v1/runs', key, { spec });
    const id = created.body.id;
    const aChild = await waitForPause(a, 'mid-epoch');
    const lost = (await row(id)).lease_token;
    freeze([a.child.pid!, aChild]);
    const frozenAt = Date.now();

    // B stops before its own final write, so that A is thawed while B holds the lease.
    const b = spawn({ TRAINYARD_FAULT_PAUSE: 'before-final-write' });
    const taken = await waitFor('B to claim the run', async () => {
      const x = await row(id);
      return x.status === 'running' && x.lease_token !== lost ? x : null;
    }, 30_000, 20);
    t.diagnostic(`B took the run over ${Date.now() - frozenAt} ms after A froze (attempt ${taken.attempts})`);
    const bChild = await waitForPause(b, 'before-final-write');
    const beforeThaw = await readRun(pool, id);
    assert.equal(beforeThaw.epochs.length, 12, 'B stored every epoch');
    assert.equal(beforeThaw.leaseToken, taken.lease_token);

    const stop = watchProgress(id);
    const thawedAt = Date.now();
    thaw([a.child.pid!, aChild]);
    const ms = await waitJobEnded(a, aChild, "A's training child", thawedAt);
    const afterThaw = await readRun(pool, id);
    const steps = await stop();
    assert.deepEqual(afterThaw, beforeThaw, "A's late writes changed nothing: the run, its epochs, points and checkpoint are as B left them");
    assertNeverBack(steps, 'while A was thawed');
    const aLog = linesOf(a, aChild);
    const fenced = aLog.filter((l) => l.includes('"msg":"epoch stored"') && Date.parse(JSON.parse(l).time) >= thawedAt).length;
    t.diagnostic(`A thawed: its trainer wrote ${fenced} more epoch(s) and stopped ${ms} ms later; all fenced (the run is unchanged)`);
    assert.ok(aLog.some((l) => /"msg":"(cancelled|run succeeded)"/.test(l) || l.includes('no longer')), `A's trainer noticed it lost the run:\n${aLog.slice(-5).join('\n')}`);

    tryKill(bChild, 'SIGCONT');
    const done = await waitFinished(id);
    assert.equal(done.status, 'succeeded', svc.logs());
    assert.equal(done.attempts, 2);
    assertSameAsUninterrupted(await readRun(pool, id), reference, 'A frozen mid-epoch');
  });

  it('A frozen inside its final write (artifacts half written): the takeover waits for it; thawed, A finishes the run once, B changes nothing', async (t) => {
    const a = spawn({ TRAINYARD_FAULT_PAUSE: 'artifact-upload' });
    const created = await svc.api.post('/v1/runs', key, { spec });
    const id = created.body.id;
    const aChild = await waitForPause(a, 'artifact-upload');
    const lease = (await row(id)).lease_token;
    freeze([a.child.pid!, aChild]);
    const frozenAt = Date.now();
    // B would stop before its own final write, should it ever own the run.
    const b = spawn({ TRAINYARD_FAULT_PAUSE: 'before-final-write' });
    await waitFor("B to take A's stalled job", async () => /job stalled/.test(b.output()) && /job started/.test(b.output()), 30_000, 20);
    const tookAt = Date.now();
    // B's claim is there, waiting for the row A's final write holds.
    await waitFor("B's claim to wait for A's lock", async () => {
      const r = await pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE runs SET status = ''running'', lease_token%'`);
      return r.rowCount === 1;
    }, 30_000, 20);
    const during = await row(id);
    t.diagnostic(`B took the job ${tookAt - frozenAt} ms after A froze; its claim waited for A's final write (run ${during.status}, attempts ${during.attempts})`);
    assert.equal(during.lease_token, lease, "B's claim waits for the final write A has begun (it holds the run)");
    assert.equal(during.attempts, 1);

    const thawedAt = Date.now();
    thaw([a.child.pid!, aChild]);
    await waitJobEnded(a, aChild, "A's training child", thawedAt);
    const done = await waitFinished(id);
    await waitFor('B to finish its job', async () => /job finished|job attempt failed/.test(b.output()), 30_000, 20);
    assert.equal(done.status, 'succeeded', svc.logs());
    assert.equal(done.attempts, 1, 'A finished the run it held; B never claimed it');
    assert.match(b.output(), /nothing to train/, 'B found the run finished');
    assert.equal(pausesAt(b.output(), 'before-final-write').length, 0, 'B trained nothing');
    assert.doesNotMatch(a.output() + b.output(), /job attempt failed/, 'no attempt fails');
    assertSameAsUninterrupted(await readRun(pool, id), reference, 'A frozen in its final write');
  });

  it('the same run enqueued twice under two job ids while A trains it: B claims it too, the later claim wins, one history', async (t) => {
    const a = spawn({ TRAINYARD_FAULT_PAUSE: 'mid-epoch' });
    const created = await svc.api.post('/v1/runs', key, { spec });
    const id = created.body.id;
    const aChild = await waitForPause(a, 'mid-epoch');
    const first = await row(id);
    // A is alive and keeps its BullMQ lock; the duplicate job goes to B.
    const b = spawn({ TRAINYARD_FAULT_PAUSE: 'before-final-write' });
    const q = createQueue(svc.config);
    try {
      await enqueue(q, 'run', id, { attempts: 2, jobId: `${id}-duplicate` });
    } finally {
      await q.close();
    }
    const bChild = await waitForPause(b, 'before-final-write');
    const second = await row(id);
    assert.notEqual(second.lease_token, first.lease_token, 'B claimed under a new lease');
    const beforeThaw = await readRun(pool, id);
    const stop = watchProgress(id);
    const goOnAt = Date.now();
    tryKill(aChild, 'SIGCONT');
    const ms = await waitJobEnded(a, aChild, "A's training child", goOnAt);
    assert.deepEqual(await readRun(pool, id), beforeThaw, "A's writes after B's claim changed nothing");
    assertNeverBack(await stop(), 'while A went on');
    tryKill(bChild, 'SIGCONT');
    const done = await waitFinished(id);
    assert.equal(done.status, 'succeeded', svc.logs());
    assert.equal(done.attempts, 2, 'two claims');
    assertSameAsUninterrupted(await readRun(pool, id), reference, 'two claims');
    await waitFor("A's job to end", async () => /job finished|job attempt failed/.test(a.output()), 10_000, 20);
    const aLate = linesOf(a, aChild).map((l) => JSON.parse(l)).filter((l) => Date.parse(l.time) >= goOnAt);
    const fenced = aLate.filter((l) => l.msg === 'epoch stored').length;
    t.diagnostic(`A went on for ${ms} ms after B's claim: ${fenced} epoch write(s), all fenced, then stopped (${aLate.map((l) => l.msg).filter((m) => m !== 'epoch stored').join(', ')}); ${await epochCount(id)} epochs stored, each once`);
    assert.doesNotMatch(a.output() + b.output(), /job attempt failed/);
  });
});

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
const freeze = (pids: number[]) => pids.forEach((p) => process.kill(p, 'SIGSTOP'));
/** The child first: it then runs its SIGCONT handler (the pause point goes on) as the parent wakes. */
const thaw = (pids: number[]) => [...pids].reverse().forEach((p) => process.kill(p, 'SIGCONT'));
const pausedPids = (w: WorkerProcess) => [...new Set([...pausesAt(w.output(), 'mid-epoch'), ...pausesAt(w.output(), 'before-final-write'), ...pausesAt(w.output(), 'artifact-upload')])];
