// The runs matching a view, fetched in pages of 200 as the table scrolls (the API's cursor is
// opaque, so pages come in order), with the total from withTotal=true.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Run } from '../../api/types';

export const PAGE_SIZE = 200;

export interface RunPages {
  rows: Run[];
  total: number;
  /** The view's first page is in flight (later pages show as placeholder rows while they load). */
  loading: boolean;
  error: unknown;
  /** Fetches pages until rows [0, end) are loaded (or the list ends); resolves to the rows held. */
  ensure: (end: number) => Promise<Run[]>;
  /** Puts a changed run (live update, cancel) in place. */
  update: (run: Run) => void;
  reload: () => void;
}

type Published = Pick<RunPages, 'rows' | 'total' | 'loading' | 'error'>;

export function useRunPages(api: Api, query: Record<string, string>): RunPages {
  const key = JSON.stringify(query);
  // One state for what the table shows, set once a page: a page arriving costs the page one
  // render (not one each for rows, total and a loading flag), and a fetch starting costs none
  // after the first page (a fling fetches 50).
  const [shown, setShown] = useState<Published>({ rows: [], total: 0, loading: true, error: null });
  const [generation, setGeneration] = useState(0);
  // The fetch loop reads these without waiting for a render. Nothing is fetched until the effect
  // below starts the view (done until then): the table's effects run before it and ask for rows,
  // and a fetch for this placeholder state would be a second request for the first page (which
  // Chromium's cache lock then holds until the first answers).
  const state = useRef({ rows: [] as Run[], total: 0, error: null as unknown, cursor: null as string | null, done: true, busy: null as Promise<void> | null, key: '' });

  const publish = useCallback(() => {
    const s = state.current;
    const loading = s.busy !== null && s.rows.length === 0;
    setShown((old) => (old.rows === s.rows && old.total === s.total && old.loading === loading && old.error === s.error ? old : { rows: s.rows, total: s.total, loading, error: s.error }));
  }, []);

  const fetchPage = useCallback(
    async (mine: string) => {
      const s = state.current;
      const first = s.rows.length === 0;
      const page = await api.listRuns({ ...query, limit: PAGE_SIZE, cursor: s.cursor ?? undefined, withTotal: first ? true : undefined });
      if (s.key !== mine) return;
      s.rows = [...s.rows, ...page.runs];
      s.cursor = page.nextCursor;
      s.done = page.nextCursor === null;
      if (page.total !== undefined) s.total = page.total;
      else if (first || s.done) s.total = s.rows.length + (s.done ? 0 : PAGE_SIZE);
    },
    [api, key],
  );

  const ensure = useCallback(
    async (end: number) => {
      const s = state.current;
      const mine = s.key;
      while (s.key === mine && !s.done && s.rows.length < end) {
        if (!s.busy) {
          s.busy = fetchPage(mine)
            .catch((e) => {
              if (s.key === mine) {
                s.error = e;
                s.done = true;
              }
            })
            .finally(() => {
              s.busy = null;
            });
        }
        publish();
        await s.busy;
      }
      if (s.key === mine) publish();
      return s.rows;
    },
    [fetchPage],
  );

  useEffect(() => {
    state.current = { rows: [], total: 0, error: null, cursor: null, done: false, busy: null, key: `${key}#${generation}` };
    ensure(PAGE_SIZE);
  }, [key, generation]);

  const update = useCallback((run: Run) => {
    const s = state.current;
    const i = s.rows.findIndex((r) => r.id === run.id);
    if (i < 0) return;
    s.rows = s.rows.slice();
    s.rows[i] = run;
    publish();
  }, []);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...shown, ensure, update, reload };
}
