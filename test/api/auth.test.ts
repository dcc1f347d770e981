import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../src/api/errors.js';
import { createAuthenticator } from '../../src/api/auth.js';
import { hashKey, type KeyRepository } from '../../src/store/keys.js';

function keysWith(valid: Record<string, string>) {
  const lookups: string[] = [];
  const repo = { projectForKeyHash: async (h: string) => (lookups.push(h), valid[h] ? { projectId: valid[h], keyId: 'k' } : null) } as unknown as KeyRepository;
  return { repo, lookups };
}
const req = (token: string | null, ip = '10.0.0.1') => ({ headers: token ? { authorization: `Bearer ${token}` } : {}, ip }) as unknown as FastifyRequest & { projectId?: string };
const code = (p: Promise<unknown>) => p.then(() => 'ok', (e) => (e instanceof ApiError ? e.code : String(e)));

test('failed attempts are limited per address: past the budget no lookup is made', async () => {
  const { repo, lookups } = keysWith({ [hashKey('good')]: 'p1' });
  const auth = createAuthenticator(repo, { failuresPerWindow: 3, windowMs: 60_000 });
  const good = req('good');
  assert.equal(await code(auth(good)), 'ok');
  for (let i = 0; i < 3; i++) assert.equal(await code(auth(req(`bad${i}`))), 'unauthorized');
  const before = lookups.length;
  assert.equal(await code(auth(req('bad-again'))), 'rate_limited');
  assert.equal(await code(auth(req(null))), 'rate_limited');
  assert.equal(lookups.length, before, 'no lookup while over the budget');
  assert.equal(await code(auth(req('good'))), 'ok', 'a key already known to be valid is not held up');
  assert.equal(await code(auth(req('bad', '10.0.0.2'))), 'unauthorized', 'other addresses have their own budget');
});

test('the key cache is a bounded LRU: a flood of random keys cannot grow it or evict a hot key', async () => {
  const { repo, lookups } = keysWith({ [hashKey('hot')]: 'p1' });
  const auth = createAuthenticator(repo, { cacheSize: 5, failuresPerWindow: 1e9, ttlMs: 60_000 });
  await auth(req('hot'));
  for (let i = 0; i < 50; i++) {
    await code(auth(req(`random${i}`, `10.1.0.${i}`)));
    await auth(req('hot'));
  }
  assert.equal(lookups.filter((h) => h === hashKey('hot')).length, 1, 'the hot key was looked up once and stayed cached');
});
