// A stalled job's run goes back to queued (its worker is gone; the next attempt resumes it) — but
// the 'stalled' event is handled after BullMQ has already put the job back in the wait list, so a
// new attempt may have claimed the run by then: that claim must stand.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import { createTestDatabase, tinySpec, type TestDatabase } from '../helpers/serviceEnv.js';

const LOCK_MS = 2000;

describe('runs.requeueStalled', () => {
  let t: TestDatabase;
  let projectId: string;
  before(async () => {
    t = await createTestDatabase('requeue');
    ({ projectId } = await t.store.keys.create('requeue'));
  });
  after(async () => {
    await t.drop();
  });

  const newRun = async () => {
    const parsed = parseSpec(tinySpec());
    assert.ok(parsed.ok);
    return (await t.store.runs.create({ projectId, spec: parsed.spec })).run.id;
  };
  const state = async (id: string) => (await t.db.run.findUnique({ where: { id } }))!;
  /** As if the attempt's last write was `ms` ago. */
  const quietFor = (id: string, ms: number) => t.db.$executeRawUnsafe(`UPDATE runs SET updated_at = now() - interval '${ms} milliseconds' WHERE id = $1::uuid`, id);

  it('a run whose attempt went quiet goes back to queued', async () => {
    const id = await newRun();
    const claim = await t.store.runs.claim(id);
    assert.equal(claim.kind, 'run');
    await quietFor(id, LOCK_MS);
    await t.store.runs.requeueStalled({ runId: id }, LOCK_MS / 2);
    assert.equal((await state(id)).status, 'queued');
  });

  it('a claim made after the stall, before the event was handled, stands', async () => {
    const id = await newRun();
    await t.store.runs.claim(id);
    await quietFor(id, LOCK_MS);
    const next = await t.store.runs.claim(id);
    assert.equal(next.kind, 'run');
    await t.store.runs.requeueStalled({ runId: id }, LOCK_MS / 2);
    const s = await state(id);
    assert.equal(s.status, 'running', 'the new attempt still owns the run');
    assert.equal(s.leaseToken, next.kind === 'run' ? next.lease : null);
    // Its writes are not fenced against its own claim.
    const r = await t.store.recorder(s.leaseToken!).stopRequested([id]);
    assert.deepEqual(r, []);
  });
});
