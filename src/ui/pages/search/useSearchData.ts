// A search, all its trials, and while it runs the server's pushed events: the search body on each
// change and a trial entry whenever a trial's state changes. The rung ladder and the importance
// are re-read when trials finish (they change only then), not on a timer.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Api } from '../../api/client';
import { followEventStream, type StreamState } from '../../api/eventStream';
import type { Importance, LeaderboardEntry, Rungs, Search } from '../../api/types';
import { mergeTrial } from '../../lib/trialMerge';

const FINISHED = ['succeeded', 'failed', 'cancelled'];

export interface Loadable<T> {
  value: T | null;
  error: unknown;
}

export interface SearchData {
  search: Search | undefined;
  searchError: unknown;
  setSearch: (s: Search) => void;
  trials: LeaderboardEntry[];
  trialsLoaded: boolean;
  boardError: unknown;
  rungs: Loadable<Rungs>;
  importance: Loadable<Importance>;
  children: Search[];
  stream: StreamState | null;
}

export function useSearchData(api: Api, id: string): SearchData {
  const [search, setSearch] = useState<Search | undefined>(undefined);
  const [searchError, setSearchError] = useState<unknown>(null);
  const [boardError, setBoardError] = useState<unknown>(null);
  const [trials, setTrials] = useState<LeaderboardEntry[]>([]);
  const [rungs, setRungs] = useState<Loadable<Rungs>>({ value: null, error: null });
  const [importance, setImportance] = useState<Loadable<Importance>>({ value: null, error: null });
  const [children, setChildren] = useState<Search[]>([]);
  const [stream, setStream] = useState<StreamState | null>(null);
  const map = useRef(new Map<string, LeaderboardEntry>());
  const [trialsLoaded, setTrialsLoaded] = useState(false);
  const timers = useRef<{ frame: number; derived: ReturnType<typeof setTimeout> | null }>({ frame: 0, derived: null });
  // A server without the importance endpoint answers 404 once; it is not asked again.
  const noImportance = useRef(false);

  const publish = () => {
    if (timers.current.frame) return;
    timers.current.frame = requestAnimationFrame(() => {
      timers.current.frame = 0;
      setTrials([...map.current.values()]);
    });
  };

  /** `s` null: the search is not loaded yet; the rungs are asked for anyway (a search without pruning has none). */
  const loadDerived = (s: Search | null) => {
    if (!s || s.spec.pruning) api.rungs(id).then((value) => setRungs({ value, error: null }), (error) => setRungs((r) => ({ value: r.value, error })));
    if (noImportance.current) return;
    api.importance(id).then(
      (value) => setImportance({ value, error: null }),
      (error) => {
        if (error instanceof ApiError && error.status === 404) noImportance.current = true;
        setImportance((r) => ({ value: r.value, error }));
      },
    );
  };
  // Trials finish in bursts (a fused group at once): at most one re-read per few seconds.
  const deriveSoon = (s: Search) => {
    if (timers.current.derived) return;
    timers.current.derived = setTimeout(() => {
      timers.current.derived = null;
      loadDerived(s);
    }, 3000);
  };

  useEffect(() => {
    let close = () => {};
    let stopped = false;
    let latest: Search | undefined;
    // The rungs and the importance alongside the search, not after it (they were a second round trip).
    loadDerived(null);
    api.getSearch(id).then(
      (s) => {
        if (stopped) return;
        latest = s;
        setSearch(s);
        if (FINISHED.includes(s.status)) return;
        close = followEventStream({
          open: (lastId, signal) => api.searchEvents(id, lastId, signal),
          onState: setStream,
          onEvent: (e) => {
            if (e.type === 'search') {
              latest = JSON.parse(e.data) as Search;
              setSearch(latest);
            } else if (e.type === 'trial') {
              const t = JSON.parse(e.data) as LeaderboardEntry;
              if (mergeTrial(map.current, t)) publish();
              if (latest && t.status !== 'queued' && t.status !== 'running') deriveSoon(latest);
            } else if (e.type === 'end') {
              api.getSearch(id).then((s) => (setSearch(s), loadDerived(s)), () => {});
            }
          },
        });
      },
      (e) => !stopped && setSearchError(e),
    );
    // Opened alongside the stream; mergeTrial keeps whichever of the two is further along.
    api.leaderboard(id).then(
      (b) => {
        if (stopped) return;
        for (const e of b.entries) mergeTrial(map.current, e);
        setTrialsLoaded(true);
        publish();
      },
      (e) => !stopped && setBoardError(e),
    );
    api.listSearches({ parentSearchId: id }).then((r) => !stopped && setChildren(r.searches.filter((s) => s.parentSearchId === id)), () => {});
    return () => {
      stopped = true;
      close();
      cancelAnimationFrame(timers.current.frame);
      if (timers.current.derived) clearTimeout(timers.current.derived);
    };
  }, [id]);

  return { search, searchError, setSearch, trials, trialsLoaded, boardError, rungs, importance, children, stream };
}
