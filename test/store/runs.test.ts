import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import { createTestDatabase, tinySpec, type TestDatabase } from '../helpers/serviceEnv.js';

describe('runs.get (the hot GET path: one prepared statement)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase('reader');
  });
  after(async () => {
    await t.drop();
  });

  it('returns exactly the row the ORM returns, field for field', async () => {
    const { projectId } = await t.store.keys.create('p');
    const parsed = parseSpec(tinySpec());
    assert.ok(parsed.ok);
    const { run } = await t.store.runs.create({ projectId, spec: parsed.spec, tags: ['x'], name: 'n' });
    await t.db.run.update({ where: { id: run.id }, data: { status: 'running', step: 7, secondsLeft: 1.5, startedAt: new Date(), trainAccuracy: 0.5 } });
    const viaOrm = await t.db.run.findFirst({ where: { id: run.id, projectId } });
    const viaPg = await t.store.runs.get(projectId, run.id);
    assert.deepEqual(viaPg, viaOrm);
    assert.deepEqual(Object.keys(viaPg!).sort(), Object.keys(viaOrm!).sort());
  });

  it('finds nothing across projects', async () => {
    const a = await t.store.keys.create('a');
    const b = await t.store.keys.create('b');
    const parsed = parseSpec(tinySpec());
    assert.ok(parsed.ok);
    const { run } = await t.store.runs.create({ projectId: a.projectId, spec: parsed.spec });
    assert.equal(await t.store.runs.get(b.projectId, run.id), null);
  });
});
