// A finished run's training never changes again: its body is kept, serialised, in a bounded LRU
// map, so that polling finished runs costs no query (the hot path of dashboards and `bench:api`).
// What people write about it (name, tags, notes) can change: an edit here drops the entry at once,
// an edit through another API process is seen within the TTL.
import { LRUCache } from 'lru-cache';

export interface FinishedRunCache {
  get(projectId: string, id: string): string | undefined;
  set(projectId: string, id: string, json: string): void;
  drop(id: string): void;
}

export function createFinishedRunCache(capacity = 10_000, ttlMs = 2000): FinishedRunCache {
  const entries = new LRUCache<string, { projectId: string; json: string }>({ max: capacity, ttl: ttlMs });
  return {
    get(projectId, id) {
      const hit = entries.get(id);
      return hit && hit.projectId === projectId ? hit.json : undefined;
    },
    set(projectId, id, json) {
      entries.set(id, { projectId, json });
    },
    drop(id) {
      entries.delete(id);
    },
  };
}
