// Serialised run reads kept while nothing they show has changed, so that polling dashboards cost
// no query: a run's body until that run changes, run lists until any run or search changes.
// Changes come from the change feed (Postgres NOTIFY on commit, from every process), and from
// this process's own writes at once (read-your-writes). Nothing is served while the feed is not
// listening, and entries also expire after a TTL (a body's wording depends on the clock).
import { LRUCache } from 'lru-cache';
import type { ChangeFeed } from '../store/changeFeed.js';

export interface LiveResponseCache {
  /**
   * The run's body: from memory, or from `load` (which may throw: nothing is kept). Concurrent
   * reads of one run share one load begun after the last change.
   */
  run(projectId: string, id: string, load: () => Promise<{ json: string; ttlMs: number }>): Promise<string>;
  /** A run list of the project for this query string, the same way. */
  list(projectId: string, query: string, load: () => Promise<string>): Promise<string>;
  /** Drops everything (this process changed something). */
  clear(): void;
  close(): void;
}

export interface LiveResponseCacheOptions {
  maxBytes?: number;
  /** Lifetime of a list (its rows' wording depends on the clock: "no progress for 2 min"). */
  listTtlMs?: number;
}

export function createLiveResponseCache(feed: ChangeFeed, o: LiveResponseCacheOptions = {}): LiveResponseCache {
  const maxBytes = o.maxBytes ?? 32 * 1024 * 1024;
  const listTtlMs = o.listTtlMs ?? 1000;
  const sized = { maxSize: maxBytes / 2, sizeCalculation: (v: { json: string }) => v.json.length + 100 };
  const runs = new LRUCache<string, { projectId: string; json: string }>({ ...sized, ttlAutopurge: false });
  const lists = new LRUCache<string, { json: string }>({ ...sized, ttl: listTtlMs });
  // Bumped by every change: a read that began before it may show the old state.
  let generation = 0;
  const changed = () => {
    generation++;
    lists.clear();
  };
  const unsubscribe = [
    feed.subscribeAll('run', (id) => {
      changed();
      runs.delete(id);
    }),
    feed.subscribeAll('search', changed),
    feed.onLost(() => {
      changed();
      runs.clear();
    }),
  ];
  const fresh = (token: number) => token === generation && feed.listening();
  // One load per key at a time, joined only by reads that arrive before the next change.
  const inFlight = new Map<string, { token: number; result: Promise<unknown> }>();
  const shared = <T>(key: string, load: () => Promise<T>, keep: (v: T, token: number) => void): Promise<T> => {
    const running = inFlight.get(key);
    if (running && running.token === generation) return running.result as Promise<T>;
    const token = generation;
    const result = load().then((v) => {
      keep(v, token);
      return v;
    });
    const entry = { token, result };
    inFlight.set(key, entry);
    const done = () => {
      if (inFlight.get(key) === entry) inFlight.delete(key);
    };
    result.then(done, done);
    return result;
  };
  return {
    async run(projectId, id, load) {
      const hit = feed.listening() ? runs.get(id) : undefined;
      if (hit && hit.projectId === projectId) return hit.json;
      const r = await shared(`${projectId} ${id}`, load, (v, token) => {
        if (fresh(token)) runs.set(id, { projectId, json: v.json }, { ttl: v.ttlMs });
      });
      return r.json;
    },
    async list(projectId, query, load) {
      const key = `${projectId} ${query}`;
      const hit = feed.listening() ? lists.get(key) : undefined;
      if (hit) return hit.json;
      return shared(`list ${key}`, load, (json, token) => {
        if (fresh(token)) lists.set(key, { json });
      });
    },
    clear() {
      changed();
      runs.clear();
    },
    close() {
      for (const u of unsubscribe) u();
    },
  };
}
