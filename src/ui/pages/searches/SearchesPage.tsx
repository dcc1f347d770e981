// The project's searches, newest first: status, strategy, objective, trial progress, the best
// value so far, and the parent a refined search came from.
import { useEffect, useState } from 'preact/hooks';
import type { Search } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { href } from '../../app/route';
import { ErrorNote } from '../../components/ErrorNote';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';
import { dateTime, metricWords, num } from '../../lib/format';

const PAGE = 50;

export function SearchesPage() {
  const api = useApi();
  const [searches, setSearches] = useState<Search[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const load = (after: string | null) => {
    setLoading(true);
    api.listSearches({ limit: PAGE, cursor: after }).then(
      (r) => {
        setSearches((s) => (after ? [...s, ...r.searches] : r.searches));
        setCursor(r.nextCursor);
        setDone(r.nextCursor === null);
        setLoading(false);
      },
      (e) => {
        setError(e);
        setLoading(false);
      },
    );
  };
  useEffect(() => load(null), []);
  const names = new Map(searches.map((s) => [s.id, s.name ?? s.id.slice(0, 8)]));

  return (
    <div class="page">
      <div class="page-head">
        <h1>Searches</h1>
        <span class="sub">{loading ? 'loading…' : `${searches.length}${done ? '' : '+'} ${searches.length === 1 && done ? 'search' : 'searches'}`}</span>
        <span class="spacer" />
        <button type="button" onClick={() => load(null)}>
          Refresh
        </button>
        <a class="button primary" href={href.submit({ example: 'searches/synthetic-quick.json' })}>
          New search
        </a>
      </div>
      {error ? <ErrorNote error={error} what="Could not load the searches" /> : null}
      <section class="card">
        <div class="body" style={{ padding: 0 }}>
          <table class="data" aria-label="Searches">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Strategy</th>
                <th scope="col">Objective</th>
                <th scope="col">Trials</th>
                <th scope="col" class="num">
                  Best
                </th>
                <th scope="col">Refined from</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {searches.map((s) => {
                const finished = s.counts.succeeded + s.counts.pruned + s.counts.failed + s.counts.cancelled;
                return (
                  <tr key={s.id}>
                    <td>
                      <a href={href.search(s.id)}>{s.name ?? s.id.slice(0, 8)}</a>
                    </td>
                    <td>
                      <StatusBadge status={s.status} cancelRequested={s.cancelRequested} />
                    </td>
                    <td>
                      {s.strategy}
                      {s.spec.pruning ? ' + halving' : ''}
                    </td>
                    <td>
                      {metricWords(s.objective.metric)} {s.objective.direction === 'maximize' ? '↑' : '↓'}
                    </td>
                    <td style={{ minWidth: '170px' }}>
                      <ProgressBar fraction={s.counts.total ? finished / s.counts.total : 0} label={`trials finished in ${s.name ?? s.id}`} text={`${finished}/${s.counts.total}${s.counts.pruned ? ` · ${s.counts.pruned} pruned` : ''}`} />
                    </td>
                    <td class="num">{s.best?.objective !== undefined && s.best?.objective !== null ? num(s.best.objective, 4) : '—'}</td>
                    <td>{s.parentSearchId ? <a href={href.search(s.parentSearchId)}>{names.get(s.parentSearchId) ?? s.parentSearchId.slice(0, 8)}</a> : <span class="muted">—</span>}</td>
                    <td>{dateTime(s.createdAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {!loading && searches.length === 0 && <p class="muted" style={{ padding: '16px' }}>No searches yet. Start one from the Submit page.</p>}
        </div>
      </section>
      {!done && cursor && (
        <button type="button" onClick={() => load(cursor)} disabled={loading}>
          Load more
        </button>
      )}
    </div>
  );
}
