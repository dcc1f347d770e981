// A search whose steps keep failing ends failed with its reason after a bounded number of
// attempts (a bad override used to leave a search running for ever, its coordinator failing 84
// times in 90 s).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../src/runtime/logger.js';
import { createMemorySearchStorage } from '../../src/search/memorySearchStorage.js';
import { MAX_STEP_FAILURES } from '../../src/search/searchDriver.js';
import { parseSearchSpec } from '../../src/search/searchSpec.js';
import type { SearchStorage } from '../../src/search/searchStorage.js';
import { coordinateSearch } from '../../worker/searchCoordinator.js';

test('a step that keeps failing fails the search after MAX_STEP_FAILURES attempts in a row, with the reason', async () => {
  const parsed = parseSearchSpec({ base: { data: { dataset: 'synthetic', trainSize: 100 }, training: { batchSize: 10 } }, space: { lambda: { values: [0.1] } }, strategy: { kind: 'grid' } });
  assert.ok(parsed.ok);
  const memory = createMemorySearchStorage();
  const id = memory.createSearch(JSON.parse(JSON.stringify(parsed.search)));
  let breakSteps = true;
  // The failure a worker meets: the step's own work throws (here: reading the trials).
  const storage: SearchStorage = {
    ...memory,
    inSearch: (sid, f) => memory.inSearch(sid, (tx) => f({ ...tx, trials: async () => (breakSteps ? Promise.reject(new Error('relation "runs" is broken')) : tx.trials()) })),
  };
  const deps = { storage, log: createLogger('test', 'silent'), enqueueGroup: async () => {}, workerCount: async () => 1 };
  for (let i = 1; i < MAX_STEP_FAILURES; i++) {
    await assert.rejects(coordinateSearch(deps, id), /broken/);
    assert.equal(memory.searchOf(id).status, 'running', `still retried after ${i} failures`);
  }
  await coordinateSearch(deps, id);
  const s = memory.searchOf(id);
  assert.equal(s.status, 'failed');
  assert.match(s.error!, /could not be advanced \(5 attempts in a row failed\): relation "runs" is broken/);
  breakSteps = false;
});

test('a step that gets through resets the count: failures must be in a row', async () => {
  const parsed = parseSearchSpec({ base: { data: { dataset: 'synthetic', trainSize: 100 }, training: { batchSize: 10 } }, space: { lambda: { values: [0.1, 0.2] } }, strategy: { kind: 'grid' }, fuse: false, budget: { maxParallel: 1 } });
  assert.ok(parsed.ok);
  const memory = createMemorySearchStorage();
  const id = memory.createSearch(JSON.parse(JSON.stringify(parsed.search)));
  let fail = true;
  const storage: SearchStorage = { ...memory, inSearch: (sid, f) => memory.inSearch(sid, (tx) => f({ ...tx, groups: async () => (fail ? Promise.reject(new Error('flaky')) : tx.groups()) })) };
  const deps = { storage, log: createLogger('test', 'silent'), enqueueGroup: async () => {}, workerCount: async () => 1 };
  for (let round = 0; round < 3; round++) {
    fail = true;
    for (let i = 1; i < MAX_STEP_FAILURES; i++) await assert.rejects(coordinateSearch(deps, id));
    fail = false;
    await coordinateSearch(deps, id);
  }
  assert.notEqual(memory.searchOf(id).status, 'failed');
  assert.equal(memory.searchOf(id).stepFailures, 0);
});
