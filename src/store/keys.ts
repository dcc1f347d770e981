// Projects and API keys. Keys are 32 random bytes (base64url) with a readable prefix; only
// their sha256 is stored (a fast hash is enough for high-entropy random secrets).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from './db.js';

export const KEY_PREFIX = 'ty_';

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

async function ensureProject(db: Db, name: string): Promise<{ id: string; name: string }> {
  return db.project.upsert({ where: { name }, create: { id: randomUUID(), name }, update: {}, select: { id: true, name: true } });
}

/** Creates a key for the project (creating the project if needed); the key is returned once. */
async function createApiKey(db: Db, projectName: string, keyName?: string): Promise<{ key: string; id: string; projectId: string; prefix: string }> {
  const project = await ensureProject(db, projectName);
  const key = generateKey();
  const prefix = key.slice(0, KEY_PREFIX.length + 6);
  const row = await db.apiKey.create({ data: { id: randomUUID(), projectId: project.id, hash: hashKey(key), prefix, name: keyName ?? null } });
  return { key, id: row.id, projectId: project.id, prefix };
}

async function revokeApiKey(db: Db, prefixOrId: string): Promise<number> {
  const r = await db.apiKey.updateMany({ where: { OR: [{ prefix: prefixOrId }, ...(isUuid(prefixOrId) ? [{ id: prefixOrId }] : [])], revokedAt: null }, data: { revokedAt: new Date() } });
  return r.count;
}

/** The project of an unrevoked key, or null. */
async function projectForKeyHash(db: Db, hash: string): Promise<{ projectId: string; keyId: string } | null> {
  const row = await db.apiKey.findUnique({ where: { hash }, select: { id: true, projectId: true, revokedAt: true } });
  if (!row || row.revokedAt) return null;
  return { projectId: row.projectId, keyId: row.id };
}

export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

export function keyRepository(db: Db) {
  return {
    create: (projectName: string, keyName?: string) => createApiKey(db, projectName, keyName),
    revoke: (prefixOrId: string) => revokeApiKey(db, prefixOrId),
    projectForKeyHash: (hash: string) => projectForKeyHash(db, hash),
    project: (id: string) => db.project.findUnique({ where: { id }, select: { id: true, name: true } }),
  };
}

export type KeyRepository = ReturnType<typeof keyRepository>;
