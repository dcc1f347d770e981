// The search's stages: what each searched (its intervals, in parameter units with the log10
// bounds for log parameters), how its trials fared, and its lineage: which two trials of the
// stage before set its interval, or which winner a final retrain trains again.
import type { Interval, LeaderboardEntry, Params, Search, SearchStage } from '../../api/types';
import { href } from '../../app/route';
import { ProgressBar } from '../../components/ProgressBar';
import { num } from '../../lib/format';

function IntervalText({ name, iv }: { name: string; iv: Interval }) {
  return (
    <li>
      <code>{name}</code> ∈ [{num(iv.log ? Math.pow(10, iv.lo) : iv.lo, 3)}, {num(iv.log ? Math.pow(10, iv.hi) : iv.hi, 3)}]
      {iv.log && (
        <span class="muted">
          {' '}
          (log10 {num(iv.lo, 3)} … {num(iv.hi, 3)})
        </span>
      )}
    </li>
  );
}

const paramsText = (p: Params | null | undefined) =>
  p
    ? Object.entries(p)
        .map(([k, v]) => `${k} = ${typeof v === 'number' ? num(v, 4) : JSON.stringify(v)}`)
        .join(', ')
    : '';

function TrialLink({ runId, params, byRun }: { runId: string | null; params: Params | null; byRun: Map<string, LeaderboardEntry> }) {
  const e = runId ? byRun.get(runId) : undefined;
  const label = e ? `trial ${e.stage}·${e.trialIndex}` : 'a trial';
  return (
    <>
      {runId ? <a href={href.run(runId)}>{label}</a> : label}
      {params && Object.keys(params).length ? <span class="muted"> ({paramsText(params)})</span> : null}
    </>
  );
}

function Lineage({ st, byRun }: { st: SearchStage; byRun: Map<string, LeaderboardEntry> }) {
  const l = st.lineage;
  if (!l) return <p class="muted lineage">Sampled from the search space.</p>;
  if (st.kind === 'finalRetrain')
    return (
      <p class="lineage">
        Retrains the winner of stage {l.parentStage}: <TrialLink runId={l.bestRunId} params={l.best} byRun={byRun} />
      </p>
    );
  return (
    <p class="lineage">
      Interval set by stage {l.parentStage}'s best two, [best − d, best + d] with d their distance: <TrialLink runId={l.bestRunId} params={l.best} byRun={byRun} /> and <TrialLink runId={l.secondRunId} params={l.second} byRun={byRun} />
    </p>
  );
}

export function StagesPanel({ search, byRun }: { search: Search; byRun: Map<string, LeaderboardEntry> }) {
  return (
    <ol class="stages" aria-label="Stages">
      {search.stages.map((st) => {
        const c = st.counts;
        const done = c.succeeded + c.pruned + c.failed + c.cancelled;
        const intervals = Object.entries(st.intervals);
        return (
          <li key={st.stage} class="stage">
            <h3>
              Stage {st.stage} · {st.kind === 'finalRetrain' ? 'final retrain' : 'search'}
            </h3>
            <ProgressBar fraction={c.total ? done / c.total : 0} label={`stage ${st.stage} trials finished`} text={`${done}/${c.total}${c.pruned ? ` · ${c.pruned} pruned` : ''}${c.reused ? ` · ${c.reused} reused` : ''}${c.running ? ` · ${c.running} running` : ''}`} />
            {intervals.length > 0 && (
              <ul class="intervals">
                {intervals.map(([k, iv]) => (
                  <IntervalText key={k} name={k} iv={iv} />
                ))}
              </ul>
            )}
            {Object.keys(st.fixed).length > 0 && <p class="muted small-note">fixed: {paramsText(st.fixed)}</p>}
            <Lineage st={st} byRun={byRun} />
          </li>
        );
      })}
      {search.stages.length < search.stagesTotal && <li class="stage pending muted">{search.stagesTotal - search.stages.length} more stage(s) to be planned from the results so far</li>}
    </ol>
  );
}
