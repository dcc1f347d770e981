// The successive-halving rung ladder: per rung, the cut-off and where every trial stood (kept
// or pruned), and for each pruned trial one sentence saying why.
import { ApiError } from '../../api/client';
import type { LeaderboardEntry, Rung, Rungs } from '../../api/types';
import { href } from '../../app/route';
import { LazyDetails } from '../../components/LazyDetails';
import { ErrorNote } from '../../components/ErrorNote';
import { metricWords, num } from '../../lib/format';
import { whyPruned } from '../../lib/whyPruned';
import './rungLadder.css';

interface Props {
  rungs: Rungs | null;
  error: unknown;
  pruning: boolean;
  byRun: Map<string, LeaderboardEntry>;
  hovered: string | null;
  onHover: (runId: string | null) => void;
}

function Strip({ rung, hovered, onHover }: { rung: Rung; hovered: string | null; onHover: Props['onHover'] }) {
  const values = rung.entries.map((e) => e.value).filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.06;
  lo -= pad;
  hi += pad;
  const x = (v: number) => `${((v - lo) / (hi - lo)) * 100}%`;
  return (
    <svg class="strip" role="img" aria-label={`Values at rung ${rung.rung}: ${rung.entries.filter((e) => e.promoted).length} kept, ${rung.entries.filter((e) => !e.promoted).length} pruned${rung.cutoff !== null ? `, cut-off ${num(rung.cutoff, 3)}` : ''}`}>
      <line class="axis" x1="0" x2="100%" y1="30" y2="30" />
      {rung.cutoff !== null && (
        <>
          <line class="cutoff" x1={x(rung.cutoff)} x2={x(rung.cutoff)} y1="4" y2="40" />
          <text class="cutoff-label" x={x(rung.cutoff)} y="52" text-anchor="middle">
            cut-off {num(rung.cutoff, 3)}
          </text>
        </>
      )}
      {rung.entries.map((e, i) =>
        e.value === null ? null : (
          <circle key={e.runId} class={`${e.promoted ? 'kept' : 'pruned'}${hovered === e.runId ? ' hot' : ''}`} cx={x(e.value)} cy={18 + (i % 3) * 6} r={hovered === e.runId ? 6 : 4} onMouseEnter={() => onHover(e.runId)} onMouseLeave={() => onHover(null)}>
            <title>{`trial ${rung.stage}·${e.trialIndex}: ${num(e.value, 4)}, rank ${e.rank}, ${e.promoted ? 'kept' : 'pruned'}`}</title>
          </circle>
        ),
      )}
      <text class="end" x="0" y="52">
        {num(lo + pad, 3)}
      </text>
      <text class="end" x="100%" y="52" text-anchor="end">
        {num(hi - pad, 3)}
      </text>
    </svg>
  );
}

/** Pruned trials shown without unfolding: those that came closest to the cut-off. */
const NEAREST = 4;

function RungRow({ rung, byRun, hovered, onHover }: { rung: Rung } & Omit<Props, 'rungs' | 'error' | 'pruning'>) {
  // Entries come ranked, best first: the first pruned ones missed the cut-off by the least.
  const pruned = rung.entries.filter((e) => !e.promoted);
  const better = rung.direction === 'maximize' ? '≥' : '≤';
  const why = (list: typeof pruned) => (
    <ul class="why">
      {list.map((e) => (
        <li key={e.runId} onMouseEnter={() => onHover(e.runId)} onMouseLeave={() => onHover(null)}>
          <a href={href.run(e.runId)}>
            Trial {rung.stage}·{e.trialIndex}
          </a>
          : {whyPruned(byRun.get(e.runId), rung, e)}.
        </li>
      ))}
    </ul>
  );
  return (
    <li class="rung">
      <p class="rung-head">
        <strong>Rung {rung.rung}</strong>
        <span class="muted">
          {rung.cycle !== null ? ` · end of cycle ${num(rung.cycle, 3)}` : ''} · step {rung.step.toLocaleString()} (epoch {num(rung.epoch, 3)})
        </span>
        <span>
          {' '}
          · kept {rung.keep} of {rung.competitors}, {metricWords(rung.metric)} {better} {num(rung.cutoff, 3)}
        </span>
      </p>
      <Strip rung={rung} hovered={hovered} onHover={onHover} />
      {pruned.length > 0 && (
        <>
          <p class="pruned-count">
            Pruned here: {pruned.length} {pruned.length === 1 ? 'trial' : 'trials'}
            {pruned.length > NEAREST ? `; the ${NEAREST} nearest the cut-off:` : ':'}
          </p>
          {why(pruned.slice(0, NEAREST))}
          {pruned.length > NEAREST && (
            <LazyDetails summary={`The other ${pruned.length - NEAREST} pruned here`}>{() => why(pruned.slice(NEAREST))}</LazyDetails>
          )}
        </>
      )}
      <LazyDetails summary={`Every trial at this rung (${rung.entries.length})`}>
        {() => (
          <table class="data compact">
            <thead>
              <tr>
                <th scope="col" class="num">
                  Rank
                </th>
                <th scope="col">Trial</th>
                <th scope="col" class="num">
                  {metricWords(rung.metric)}
                </th>
                <th scope="col">Decision</th>
              </tr>
            </thead>
            <tbody>
              {rung.entries.map((e) => (
                <tr key={e.runId}>
                  <td class="num">{e.rank}</td>
                  <td>
                    <a href={href.run(e.runId)}>
                      {rung.stage}·{e.trialIndex}
                    </a>
                  </td>
                  <td class="num">{num(e.value, 4)}</td>
                  <td>{e.promoted ? 'kept' : <span class="badge pruned">pruned</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LazyDetails>
    </li>
  );
}

export function RungLadder({ rungs, error, pruning, byRun, hovered, onHover }: Props) {
  if (!pruning) return <p class="muted">This search does not prune: every trial trains to the end.</p>;
  if (!rungs) {
    if (error instanceof ApiError && error.status === 404) return <p class="muted">This server does not report rungs yet.</p>;
    return error ? <ErrorNote error={error} what="Could not load the rungs" /> : <p class="muted">Loading…</p>;
  }
  if (rungs.rungs.length === 0) return <p class="muted">No trial has reached a rung yet.</p>;
  const stages = [...new Set(rungs.rungs.map((r) => r.stage))];
  return (
    <div class="ladder">
      <p class="muted small-note">Successive halving (reduction {rungs.pruning?.reduction}): at each rung the trials are ranked by the objective and the best 1/{rungs.pruning?.reduction} continue.</p>
      {stages.map((s) => (
        <section key={s} aria-label={`Stage ${s} rungs`}>
          {stages.length > 1 && <h3>Stage {s}</h3>}
          <ol class="rungs">
            {rungs.rungs
              .filter((r) => r.stage === s)
              .map((r) => (
                <RungRow key={`${r.stage}-${r.step}`} rung={r} byRun={byRun} hovered={hovered} onHover={onHover} />
              ))}
          </ol>
        </section>
      ))}
    </div>
  );
}
