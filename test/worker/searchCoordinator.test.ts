import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../src/runtime/logger.js';
import { createMemorySearchStorage } from '../../src/search/memorySearchStorage.js';
import { parseSearchSpec } from '../../src/search/searchSpec.js';
import { coordinateSearch } from '../../worker/searchCoordinator.js';

const search = parseSearchSpec({
  base: { data: { dataset: 'synthetic', trainSize: 100 }, model: { hidden: [8] } },
  space: { lambda: { values: [0.001, 0.01, 0.1] } },
  strategy: { kind: 'grid' },
  fuse: false,
  budget: { maxParallel: 2 },
});

test('the coordinator enqueues what the driver released, one job per release, within maxParallel', async () => {
  assert.ok(search.ok);
  const storage = createMemorySearchStorage();
  const id = storage.createSearch(JSON.parse(JSON.stringify(search.search)));
  const enqueued: { id: string; release: number }[] = [];
  await coordinateSearch({ storage, log: createLogger('test', 'silent'), enqueueGroup: async (g) => void enqueued.push(g), workerCount: async () => 3 }, id);
  assert.equal(enqueued.length, 2, 'three groups of one trial, two in flight at most');
  assert.ok(enqueued.every((g) => g.release === 1));
  await coordinateSearch({ storage, log: createLogger('test', 'silent'), enqueueGroup: async (g) => void enqueued.push(g), workerCount: async () => 3 }, id);
  assert.equal(enqueued.length, 2, 'advancing again releases nothing more while both still train');
});

test('a failed enqueue is logged, not thrown: the reconciler adds the group later', async () => {
  assert.ok(search.ok);
  const storage = createMemorySearchStorage();
  const id = storage.createSearch(JSON.parse(JSON.stringify(search.search)));
  await coordinateSearch({ storage, log: createLogger('test', 'silent'), enqueueGroup: async () => Promise.reject(new Error('Redis down')), workerCount: async () => Promise.reject(new Error('Redis down')) }, id);
  assert.equal(storage.searchOf(id).groups.filter((g) => g.status === 'enqueued').length, 2);
});
