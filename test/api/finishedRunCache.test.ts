import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFinishedRunCache } from '../../src/api/finishedRunCache.js';

test('a finished run is served only to its own project', () => {
  const c = createFinishedRunCache(4);
  c.set('p1', 'r1', '{"id":"r1"}');
  assert.equal(c.get('p1', 'r1'), '{"id":"r1"}');
  assert.equal(c.get('p2', 'r1'), undefined, 'another project never sees it (the API then answers 404)');
});

test('bounded and least-recently-used first: a hot entry survives a stream of new ones', () => {
  const c = createFinishedRunCache(3);
  for (const id of ['a', 'b', 'c']) c.set('p', id, id);
  assert.equal(c.get('p', 'a'), 'a');
  c.set('p', 'd', 'd');
  assert.equal(c.get('p', 'b'), undefined, 'the least recently used entry went');
  assert.equal(c.get('p', 'a'), 'a');
  for (const id of ['e', 'f']) c.set('p', id, id);
  assert.deepEqual(['a', 'c', 'd', 'e', 'f'].map((id) => c.get('p', id)), ['a', undefined, undefined, 'e', 'f'], 'the one read stays, the unread go');
});
