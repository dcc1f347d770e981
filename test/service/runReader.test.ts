import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import { createApiKey } from '../../src/store/keys.js';
import { createRunReader, type RunReader } from '../../src/store/runReader.js';
import { createRun, getRun } from '../../src/store/runs.js';
import { createTestDatabase, tinySpec, type TestDatabase } from '../helpers/serviceEnv.js';

describe('run reader (the hot GET path)', () => {
  let t: TestDatabase;
  let reader: RunReader;
  before(async () => {
    t = await createTestDatabase('reader');
    reader = createRunReader(t.url, 2);
  });
  after(async () => {
    await reader.close();
    await t.drop();
  });

  it('returns exactly the row the ORM returns, field for field', async () => {
    const { projectId } = await createApiKey(t.db, 'p');
    const parsed = parseSpec(tinySpec());
    assert.ok(parsed.ok);
    const { run } = await createRun(t.db, { projectId, spec: parsed.spec, tags: ['x'], name: 'n' });
    await t.db.run.update({ where: { id: run.id }, data: { status: 'running', step: 7, secondsLeft: 1.5, startedAt: new Date(), trainAccuracy: 0.5 } });
    const viaOrm = await getRun(t.db, projectId, run.id);
    const viaPg = await reader.get(projectId, run.id);
    assert.deepEqual(viaPg, viaOrm);
    assert.deepEqual(Object.keys(viaPg!).sort(), Object.keys(viaOrm!).sort());
  });

  it('finds nothing across projects', async () => {
    const a = await createApiKey(t.db, 'a');
    const b = await createApiKey(t.db, 'b');
    const parsed = parseSpec(tinySpec());
    assert.ok(parsed.ok);
    const { run } = await createRun(t.db, { projectId: a.projectId, spec: parsed.spec });
    assert.equal(await reader.get(b.projectId, run.id), null);
  });
});
