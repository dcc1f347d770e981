// A finished run never changes again: its body is kept, serialised, in a bounded LRU map, so that
// polling finished runs costs no query (the hot path of dashboards and `bench:api`).
import { LRUCache } from 'lru-cache';

export interface FinishedRunCache {
  get(projectId: string, id: string): string | undefined;
  set(projectId: string, id: string, json: string): void;
}

export function createFinishedRunCache(capacity = 10_000): FinishedRunCache {
  const entries = new LRUCache<string, { projectId: string; json: string }>({ max: capacity });
  return {
    get(projectId, id) {
      const hit = entries.get(id);
      return hit && hit.projectId === projectId ? hit.json : undefined;
    },
    set(projectId, id, json) {
      entries.set(id, { projectId, json });
    },
  };
}
