// Bearer API keys. The key's sha256 is looked up in Postgres and cached for a few seconds in a
// bounded LRU map, so hot read paths (polling a run) cost no extra query and a flood of random
// keys cannot grow memory; a revoked key stops working within the TTL. Failed attempts are
// counted per client address: past the limit that address gets 429 without any lookup.
import type { FastifyRequest } from 'fastify';
import { hashKey, type KeyRepository } from '../store/keys.js';
import { ApiError } from './errors.js';
import { LRUCache } from 'lru-cache';

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

export interface AuthOptions {
  ttlMs?: number;
  /** Failed attempts (missing, unknown or revoked keys) allowed per client address per window. */
  failuresPerWindow?: number;
  windowMs?: number;
  cacheSize?: number;
}

export function createAuthenticator(keys: KeyRepository, o: AuthOptions = {}) {
  const ttlMs = o.ttlMs ?? 10_000;
  const limit = o.failuresPerWindow ?? 30;
  const windowMs = o.windowMs ?? 60_000;
  const cache = new LRUCache<string, { projectId: string | null; expires: number }>({ max: o.cacheSize ?? 10_000 });
  const failures = new LRUCache<string, { count: number; resetAt: number }>({ max: o.cacheSize ?? 10_000 });

  const refuse = (req: FastifyRequest, message: string): never => {
    const now = Date.now();
    const f = failures.get(req.ip);
    if (f && f.resetAt > now) f.count++;
    else failures.set(req.ip, { count: 1, resetAt: now + windowMs });
    throw new ApiError('unauthorized', message);
  };

  return async function authenticate(req: FastifyRequest): Promise<void> {
    const now = Date.now();
    const token = bearerToken(req);
    const hash = token && token.length <= 200 ? hashKey(token) : null;
    let hit = hash ? cache.get(hash) : undefined;
    // A key known to be valid goes on; anything needing a lookup waits while the address is over its budget.
    const f = failures.get(req.ip);
    if (!(hit?.projectId && hit.expires >= now) && f && f.resetAt > now && f.count >= limit) {
      const wait = Math.ceil((f.resetAt - now) / 1000);
      throw new ApiError('rate_limited', `too many requests with a missing or invalid API key from this address; retry in ${wait} s`, undefined, { 'retry-after': String(wait) });
    }
    if (!token) return refuse(req, 'missing API key: send the header Authorization: Bearer <key>');
    if (!hash) return refuse(req, 'invalid API key');
    if (!hit || hit.expires < now) {
      const found = await keys.projectForKeyHash(hash);
      hit = { projectId: found?.projectId ?? null, expires: now + (found ? ttlMs : Math.min(ttlMs, 2000)) };
      cache.set(hash, hit);
    }
    if (!hit.projectId) return refuse(req, 'invalid or revoked API key');
    req.projectId = hit.projectId;
  };
}
