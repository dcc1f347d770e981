// The runs page: filters and sort (applied by the API), the virtualised table, selection for
// compare, column choice and CSV export of exactly what the table shows.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { Run } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { href } from '../../app/route';
import { navigate } from '../../app/useRoute';
import { saveBlob } from '../../components/download';
import { ErrorNote } from '../../components/ErrorNote';
import { toCsv } from '../../lib/csv';
import { RUN_COLUMNS } from '../../lib/runColumns';
import { apiQuery, DEFAULT_SORT, nextSort, withParam } from '../../lib/runQuery';
import { ColumnPicker, useShownColumns } from './ColumnPicker';
import { RunsFilters } from './RunsFilters';
import { RunsTable } from './RunsTable';
import { useLiveRows } from './useLiveRows';
import { useRunPages } from './useRunPages';

export const MAX_COMPARE = 20;
const SELECTION = 'trainyard.selectedRuns';

/** The runs picked for compare, kept for the tab so opening a run and coming back keeps them. */
function useSelection(): [Set<string>, (f: (s: Set<string>) => Set<string>) => void] {
  const [selected, setSelected] = useState<Set<string>>(() => new Set(JSON.parse(sessionStorage.getItem(SELECTION) ?? '[]') as string[]));
  useEffect(() => sessionStorage.setItem(SELECTION, JSON.stringify([...selected])), [selected]);
  return [selected, setSelected];
}

export function RunsPage({ view }: { view: URLSearchParams }) {
  const api = useApi();
  const query = useMemo(() => apiQuery(view), [view.toString()]);
  const pages = useRunPages(api, query);
  const [shown, setShown] = useShownColumns();
  const columns = useMemo(() => RUN_COLUMNS.filter((c) => shown.includes(c.id)), [shown]);
  const [selected, setSelected] = useSelection();
  const [visibleRunning, setVisibleRunning] = useState<Run[]>([]);
  const [exporting, setExporting] = useState<string | null>(null);
  const sort = view.get('sort') || DEFAULT_SORT;

  const setView = (v: URLSearchParams) => navigate(href.runs(v));
  useLiveRows(api, visibleRunning, pages.update);

  const onVisible = useCallback((runs: Run[]) => {
    const running = runs.filter((r) => r.status === 'running');
    setVisibleRunning((old) => (old.map((r) => r.id).join() === running.map((r) => r.id).join() ? old : running));
  }, []);

  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const toggleAll = (ids: string[], on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      for (const id of ids) on ? next.add(id) : next.delete(id);
      return next;
    });

  // Every run matching the view (fetching the pages not yet scrolled to), in the shown columns.
  const exportCsv = async () => {
    if (pages.rows.length < pages.total) setExporting(`Loading ${pages.total.toLocaleString()} runs…`);
    const rows = await pages.ensure(pages.total);
    const csv = toCsv(
      columns.map((c) => (c.title ? `${c.header} (${c.title})` : c.header)),
      rows.map((r) => columns.map((c) => c.csv(r))),
    );
    saveBlob(new Blob([csv], { type: 'text/csv;charset=utf-8' }), `trainyard-runs-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`);
    setExporting(null);
  };

  const ids = [...selected];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Runs</h1>
        <span class="sub" aria-live="polite">
          {pages.total.toLocaleString()} {pages.total === 1 ? 'run' : 'runs'}
          {pages.loading ? ' · loading…' : ''}
        </span>
        <span class="spacer" />
        <a class="button primary" href={href.submit()}>
          New run
        </a>
      </div>
      <RunsFilters view={view} setView={setView} />
      {pages.error ? <ErrorNote error={pages.error} what="Could not load the runs" /> : null}
      <section class="card" aria-label="Runs table">
        <header>
          <span class="muted" aria-live="polite">
            {selected.size ? `${selected.size} selected` : 'Select runs to compare'}
          </span>
          {selected.size > 0 && (
            <button type="button" class="small" onClick={() => setSelected(() => new Set())}>
              Clear selection
            </button>
          )}
          <a
            class={`button${ids.length >= 2 && ids.length <= MAX_COMPARE ? ' primary' : ''}`}
            href={ids.length >= 2 && ids.length <= MAX_COMPARE ? href.compare(ids) : undefined}
            aria-disabled={ids.length < 2 || ids.length > MAX_COMPARE}
            title={ids.length > MAX_COMPARE ? `at most ${MAX_COMPARE} runs` : ids.length < 2 ? 'select two or more runs' : undefined}
          >
            Compare{ids.length ? ` (${ids.length})` : ''}
          </a>
          <span class="spacer" style={{ flex: 1 }} />
          <ColumnPicker shown={shown} setShown={setShown} />
          <button type="button" onClick={exportCsv} disabled={pages.total === 0 || exporting !== null}>
            Export CSV
          </button>
          {exporting && (
            <span class="muted" role="status">
              {exporting}
            </span>
          )}
        </header>
        <div class="body" style={{ padding: '10px 0 0' }}>
          <RunsTable
            columns={columns}
            rows={pages.rows}
            total={pages.total}
            loading={pages.loading}
            sort={sort}
            selected={selected}
            onSort={(f) => setView(withParam(view, 'sort', nextSort(sort, f) === DEFAULT_SORT ? null : nextSort(sort, f)))}
            onToggle={toggle}
            onToggleAll={toggleAll}
            onNeed={pages.ensure}
            onVisible={onVisible}
            onChanged={pages.update}
          />
        </div>
      </section>
    </div>
  );
}
