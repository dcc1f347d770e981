// Compare up to 20 runs: their curves overlaid, one colour each, a legend that points out one run,
// and the spec fields in which they differ.
import { useEffect, useState } from 'preact/hooks';
import type { Run } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { href } from '../../app/route';
import { navigate } from '../../app/useRoute';
import { ErrorNote } from '../../components/ErrorNote';
import { StatusBadge } from '../../components/StatusBadge';
import { useColorScheme } from '../../components/useColorScheme';
import { pct } from '../../lib/format';
import { runColor } from '../../lib/palette';
import { columnsFrom, type PointColumns } from '../../lib/pointColumns';
import { MAX_COMPARE } from '../runs/RunsPage';
import { CompareCharts } from './CompareCharts';
import { SpecDiffTable } from './SpecDiffTable';
import './comparePage.css';

/** Points per run: the API's compare default; 20 runs of 400 points each draw at once. */
const POINTS = 400;

export function ComparePage({ ids }: { ids: string[] }) {
  const api = useApi();
  const scheme = useColorScheme();
  const shown = ids.slice(0, MAX_COMPARE);
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [cols, setCols] = useState<PointColumns[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [focused, setFocused] = useState<number | null>(null);
  const key = shown.join(',');

  useEffect(() => {
    setRuns(null);
    setError(null);
    if (shown.length === 0) return;
    // The curves first: one request that would otherwise queue behind the per-run reads (a browser
    // opens six connections per server).
    const series = api.compareMetrics(shown, POINTS);
    Promise.all([series, Promise.all(shown.map((id) => api.getRun(id)))]).then(
      ([series, rs]) => {
        const byRun = new Map(series.map((s) => [s.runId, s]));
        setCols(shown.map((id) => columnsFrom(byRun.get(id)?.points ?? [], byRun.get(id)?.bucketWidth ?? 1)));
        setRuns(rs);
      },
      setError,
    );
  }, [key]);

  const remove = (id: string) => navigate(href.compare(shown.filter((x) => x !== id)));

  return (
    <div class="page compare-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.runs()}>Runs</a>
      </nav>
      <div class="page-head">
        <h1>Compare</h1>
        <span class="sub">
          {shown.length} {shown.length === 1 ? 'run' : 'runs'}
        </span>
      </div>
      {ids.length > MAX_COMPARE && <p class="note">Compare shows at most {MAX_COMPARE} runs; the first {MAX_COMPARE} of the {ids.length} selected are shown.</p>}
      {shown.length === 0 && (
        <p class="note">
          Select runs on the <a href={href.runs()}>runs page</a> and press Compare.
        </p>
      )}
      {error ? <ErrorNote error={error} what="Could not load the runs to compare" /> : null}
      {!runs && shown.length > 0 && !error && (
        <p class="muted" role="status">
          Loading {shown.length} runs…
        </p>
      )}
      {runs && (
        <>
          <ul class="legend card" aria-label="Runs compared">
            {runs.map((r, i) => (
              <li key={r.id} onMouseEnter={() => setFocused(i)} onMouseLeave={() => setFocused(null)} onFocusIn={() => setFocused(i)} onFocusOut={() => setFocused(null)} class={focused === i ? 'focused' : undefined}>
                <span class="swatch" style={{ background: runColor(i, scheme) }} aria-hidden="true" />
                <span class="who">
                  <a href={href.run(r.id)} title={r.name ?? r.id}>
                    {r.name ?? r.id.slice(0, 8)}
                  </a>
                  <span class="muted small-note">
                    {r.status !== 'succeeded' && <StatusBadge status={r.status} />} val {pct(r.metrics?.validation.accuracy)} · test {pct(r.metrics?.test?.accuracy)}
                  </span>
                </span>
                <button type="button" class="tag-remove" aria-label={`Remove ${r.name ?? r.id} from the comparison`} onClick={() => remove(r.id)} disabled={runs.length <= 1}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          <CompareCharts runs={runs} cols={cols} focused={focused} />
          <SpecDiffTable runs={runs} />
        </>
      )}
    </div>
  );
}
