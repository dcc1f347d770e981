// One search: its stages and lineage, the leaderboard, a scatter per parameter, parallel
// coordinates with brushing (which filters the leaderboard and seeds "refine from selection"),
// parameter importance and the successive-halving rung ladder. Updates are pushed while it runs.
import { useCallback, useMemo, useState } from 'preact/hooks';
import { useApi } from '../../app/apiContext';
import { href } from '../../app/route';
import { navigate } from '../../app/useRoute';
import { ErrorNote, errorText } from '../../components/ErrorNote';
import { LiveBadge } from '../../components/LiveBadge';
import { StatusBadge } from '../../components/StatusBadge';
import type { LeaderboardEntry } from '../../api/types';
import { dateTime, metricWords, num, pct } from '../../lib/format';
import { refineSearch, type Refinement } from '../../lib/refineSearch';
import { axesFor, inBrushes, OBJECTIVE, type Brushes } from '../../lib/searchAxes';
import { BrushRanges } from './BrushRanges';
import { ImportanceBars } from './ImportanceBars';
import { Leaderboard } from './Leaderboard';
import { ParallelCoordinates } from './ParallelCoordinates';
import { ParamScatters } from './ParamScatters';
import { RefineDialog } from './RefineDialog';
import { RungLadder } from './RungLadder';
import { SearchFamily } from './SearchFamily';
import { StagesPanel } from './StagesPanel';
import { useSearchData } from './useSearchData';
import './searchPage.css';

export function SearchPage({ id }: { id: string }) {
  const api = useApi();
  const data = useSearchData(api, id);
  const { search, trials } = data;
  const [brushes, setBrushes] = useState<Brushes>(new Map());
  const [hovered, setHovered] = useState<string | null>(null);
  const [refinement, setRefinement] = useState<Refinement | null>(null);
  const [cancelError, setCancelError] = useState<string | null>(null);

  const axes = useMemo(() => (search ? axesFor(search, trials) : []), [search?.spec, trials]);
  const byRun = useMemo(() => new Map(trials.map((t) => [t.runId, t])), [trials]);
  const isKept = useCallback((e: LeaderboardEntry) => inBrushes(axes, brushes, e), [axes, brushes]);
  const kept = useMemo(() => trials.filter(isKept), [trials, isKept]);
  const brush = (key: string, range: [number, number] | null) =>
    setBrushes((b) => {
      const next = new Map(b);
      if (range) next.set(key, range);
      else next.delete(key);
      return next;
    });
  const open = (runId: string) => navigate(href.run(runId));

  if (data.searchError)
    return (
      <div class="page">
        <h1>Search</h1>
        <ErrorNote error={data.searchError} what="Could not load the search" />
      </div>
    );
  if (!search)
    return (
      <div class="page">
        <h1>Search</h1>
        <p class="muted" role="status">
          Loading…
        </p>
      </div>
    );

  const objectiveLabel = metricWords(search.objective.metric);
  const active = search.status === 'running' || search.status === 'queued';
  const paramBrushed = [...brushes.keys()].some((k) => k !== OBJECTIVE);
  const cancel = async () => {
    try {
      data.setSearch(await api.cancelSearch(search.id));
    } catch (e) {
      setCancelError(errorText(e));
      // Most often it finished first (a 409): show the state the server has, not the one clicked on.
      api.getSearch(search.id).then(data.setSearch, () => {});
    }
  };

  return (
    <div class="page search-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.searches()}>Searches</a>
      </nav>
      <div class="page-head">
        <h1>{search.name ?? `Search ${search.id.slice(0, 8)}`}</h1>
        <StatusBadge status={search.status} cancelRequested={search.cancelRequested} />
        {active && <LiveBadge state={data.stream} />}
        <span class="spacer" />
        {active && !search.cancelRequested && (
          <button type="button" class="danger" onClick={cancel}>
            Cancel search
          </button>
        )}
      </div>
      {cancelError && (
        <p class="error-note" role="alert">
          {cancelError}
        </p>
      )}
      <SearchFamily search={search} children={data.children} />
      <section class="card" aria-labelledby="summary-title">
        <header>
          <h2 id="summary-title">Summary</h2>
          <span class="muted small-note">
            {search.strategy}
            {search.spec.pruning ? `, successive halving ÷${search.spec.pruning.reduction}` : ''} · created {dateTime(search.createdAt)}
          </span>
        </header>
        <div class="body search-summary">
          <div>
            <span class="muted">Trials</span>
            <span class="big">{search.counts.total}</span>
            <span class="muted small-note">
              {search.counts.succeeded} done · {search.counts.pruned} pruned · {search.counts.running} running · {search.counts.queued} queued
              {search.counts.failed ? ` · ${search.counts.failed} failed` : ''}
            </span>
          </div>
          <div>
            <span class="muted">Best {objectiveLabel}</span>
            <span class="big">{search.best?.objective !== undefined && search.best?.objective !== null ? (search.objective.metric.endsWith('Accuracy') ? pct(search.best.objective) : num(search.best.objective, 4)) : '—'}</span>
            {search.best && (
              <a class="small-note" href={href.run(search.best.runId)}>
                {Object.entries(search.best.params)
                  .map(([k, v]) => `${k} = ${typeof v === 'number' ? num(v, 4) : JSON.stringify(v)}`)
                  .join(', ') || 'the best run'}
              </a>
            )}
          </div>
          {search.best?.metrics?.test && (
            <div>
              <span class="muted">Its test accuracy</span>
              <span class="big">{pct(search.best.metrics.test.accuracy)}</span>
            </div>
          )}
          {search.error && <p class="error-text">{search.error}</p>}
        </div>
      </section>

      <section class="card" aria-labelledby="stages-title">
        <header>
          <h2 id="stages-title">Stages</h2>
        </header>
        <div class="body">
          <StagesPanel search={search} byRun={byRun} />
        </div>
      </section>

      <section class="card" aria-labelledby="pc-title">
        <header>
          <h2 id="pc-title">Parallel coordinates</h2>
          <span class="muted small-note">Drag along an axis to brush a range (click it to clear); the leaderboard keeps the trials inside every range.</span>
          <span class="spacer" style={{ flex: 1 }} />
          {brushes.size > 0 && (
            <button type="button" class="small" onClick={() => setBrushes(new Map())}>
              Clear brushes
            </button>
          )}
          <button type="button" class="small primary" disabled={!paramBrushed} onClick={() => setRefinement(refineSearch(search, axes, brushes))} title={paramBrushed ? undefined : 'brush a parameter axis first'}>
            Refine from selection
          </button>
        </header>
        <div class="body">
          {data.boardError ? <ErrorNote error={data.boardError} what="Could not load the trials" /> : null}
          <ParallelCoordinates axes={axes} entries={trials} brushes={brushes} onBrush={brush} hovered={hovered} onHover={setHovered} onOpen={open} isKept={isKept} />
          <BrushRanges axes={axes} brushes={brushes} onBrush={brush} />
        </div>
      </section>

      <section class="card" aria-labelledby="board-title">
        <header>
          <h2 id="board-title">Leaderboard</h2>
        </header>
        <div class="body">
          <Leaderboard entries={kept} total={trials.length} loaded={data.trialsLoaded} params={Object.keys(search.spec.space)} objectiveLabel={objectiveLabel} descendingIsBetter={search.objective.direction === 'maximize'} hovered={hovered} onHover={setHovered} />
        </div>
      </section>

      <section class="card" aria-labelledby="scatter-title">
        <header>
          <h2 id="scatter-title">Each parameter against {objectiveLabel}</h2>
        </header>
        <div class="body">
          <ParamScatters axes={axes} entries={kept} objectiveLabel={objectiveLabel} hovered={hovered} onHover={setHovered} onOpen={open} />
        </div>
      </section>

      <div class="grid-2">
        <section class="card" aria-labelledby="rungs-title">
          <header>
            <h2 id="rungs-title">Rung ladder</h2>
          </header>
          <div class="body">
            <RungLadder rungs={data.rungs.value} error={data.rungs.error} pruning={!!search.spec.pruning} byRun={byRun} hovered={hovered} onHover={setHovered} />
          </div>
        </section>
        <section class="card" aria-labelledby="importance-title">
          <header>
            <h2 id="importance-title">Parameter importance</h2>
          </header>
          <div class="body">
            <ImportanceBars value={data.importance.value} error={data.importance.error} />
          </div>
        </section>
      </div>
      {refinement && <RefineDialog parent={search} refinement={refinement} onClose={() => setRefinement(null)} />}
    </div>
  );
}
