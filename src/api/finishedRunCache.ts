// A finished run never changes again: its body is kept, serialised, in a bounded LRU map, so that
// polling finished runs costs no query (the hot path of dashboards and `bench:api`).
export interface FinishedRunCache {
  get(projectId: string, id: string): string | undefined;
  set(projectId: string, id: string, json: string): void;
}

export function createFinishedRunCache(capacity = 10_000): FinishedRunCache {
  const entries = new Map<string, { projectId: string; json: string }>();
  return {
    get(projectId, id) {
      const hit = entries.get(id);
      if (!hit || hit.projectId !== projectId) return undefined;
      // Re-inserted: Map order is the recency order, the oldest first.
      entries.delete(id);
      entries.set(id, hit);
      return hit.json;
    },
    set(projectId, id, json) {
      entries.delete(id);
      if (entries.size >= capacity) entries.delete(entries.keys().next().value!);
      entries.set(id, { projectId, json });
    },
  };
}
