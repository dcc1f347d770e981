// How much of the objective's variation each parameter explains, as the server computes it.
import type { Importance } from '../../api/types';
import { ApiError } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { metricWords } from '../../lib/format';

export function ImportanceBars({ value, error }: { value: Importance | null; error: unknown }) {
  if (!value) {
    if (error instanceof ApiError && error.status === 404) return <p class="muted">This server does not compute parameter importance yet.</p>;
    if (error) return <ErrorNote error={error} what="Could not load the importance" />;
    return <p class="muted">Loading…</p>;
  }
  // The server needs three finished trials to measure any variation; below that every share is 0.
  if (value.trials < 3)
    return (
      <p class="muted">
        Too few finished trials to tell: importance needs at least 3, and {value.trials === 0 ? 'none has' : value.trials === 1 ? 'one has' : `${value.trials} have`} finished{value.trials ? ' (pruned trials do not count)' : ''}.
      </p>
    );
  const max = Math.max(0.0001, ...value.parameters.map((p) => p.importance));
  return (
    <div>
      <p class="muted small-note">
        Share of the variation in {metricWords(value.objective.metric)} explained, from {value.trials} trials.
      </p>
      <ul class="importance" aria-label="Parameter importance">
        {[...value.parameters]
          .sort((a, b) => b.importance - a.importance)
          .map((p) => (
            <li key={p.name}>
              <span class="name">
                {p.name}
                {p.log ? <span class="muted"> (log)</span> : null}
              </span>
              <span class="bar" aria-hidden="true">
                <span style={{ width: `${(p.importance / max) * 100}%` }} />
              </span>
              <span class="num">{(p.importance * 100).toFixed(1)}%</span>
            </li>
          ))}
      </ul>
    </div>
  );
}
