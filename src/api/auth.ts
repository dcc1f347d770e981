// Bearer API keys. The key's sha256 is looked up in Postgres and cached for a few seconds, so
// hot read paths (polling a run) cost no extra query; a revoked key stops working within the TTL.
import type { FastifyRequest } from 'fastify';
import { hashKey, type KeyRepository } from '../store/keys.js';
import { ApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
  }
}

export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

export function createAuthenticator(keys: KeyRepository, ttlMs = 10_000) {
  const cache = new Map<string, { projectId: string | null; expires: number }>();
  return async function authenticate(req: FastifyRequest): Promise<void> {
    const token = bearerToken(req);
    if (!token) throw new ApiError('unauthorized', 'missing API key: send the header Authorization: Bearer <key>');
    if (token.length > 200) throw new ApiError('unauthorized', 'invalid API key');
    const hash = hashKey(token);
    const now = Date.now();
    let hit = cache.get(hash);
    if (!hit || hit.expires < now) {
      const found = await keys.projectForKeyHash(hash);
      hit = { projectId: found?.projectId ?? null, expires: now + (found ? ttlMs : Math.min(ttlMs, 2000)) };
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, hit);
    }
    if (!hit.projectId) throw new ApiError('unauthorized', 'invalid or revoked API key');
    req.projectId = hit.projectId;
  };
}
