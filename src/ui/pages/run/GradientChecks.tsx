// The gradient checks of this run's network: per tensor, the relative error of the analytic
// gradient against finite differences. A new check can be started from here.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { GradientCheck, Run } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { ErrorNote } from '../../components/ErrorNote';
import { StatusBadge } from '../../components/StatusBadge';
import { useAsync } from '../../components/useAsync';
import { dateTime, num } from '../../lib/format';

/** Relative errors below this are what a correct float64 gradient gives (the reports' criterion). */
const GOOD = 1e-6;
const POLL_MS = 2000;

function CheckTable({ check }: { check: GradientCheck }) {
  const r = check.result;
  if (!r) return <p class="muted">{check.error ?? 'Waiting for a worker…'}</p>;
  return (
    <table class="data compact">
      <caption class="muted small-note">
        {r.method} differences, h = {num(r.h)}, first {r.features} features of {r.samples} samples; largest relative error {num(r.maxRelError, 3)}
      </caption>
      <thead>
        <tr>
          <th scope="col">Tensor</th>
          <th scope="col" class="num">
            Size
          </th>
          <th scope="col" class="num">
            Relative error
          </th>
          <th scope="col" class="num">
            Worst element
          </th>
          <th scope="col" class="num">
            ‖analytic‖
          </th>
        </tr>
      </thead>
      <tbody>
        {r.tensors.map((t) => (
          <tr key={t.name}>
            <td class="mono">{t.name}</td>
            <td class="num">{t.size.toLocaleString()}</td>
            <td class={`num ${t.relError < GOOD ? 'good' : 'bad'}`}>{num(t.relError, 3)}</td>
            <td class="num">{num(t.maxElementRelError, 3)}</td>
            <td class="num">{t.analyticNorm === undefined ? '—' : num(t.analyticNorm, 4)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function GradientChecks({ run }: { run: Run }) {
  const api = useApi();
  const list = useAsync(() => api.gradientChecks(run.id), [run.id]);
  const [started, setStarted] = useState<GradientCheck | null>(null);
  const [error, setError] = useState<unknown>(null);

  // A check is a short job with no event stream in the API: its status is re-read until it ends.
  useEffect(() => {
    if (!started || !['queued', 'running'].includes(started.status)) return;
    const t = setTimeout(() => api.getGradientCheck(started.id).then(setStarted, setError), POLL_MS);
    return () => clearTimeout(t);
  }, [started]);

  const start = async () => {
    setError(null);
    try {
      setStarted(await api.createGradientCheck(run.id, crypto.randomUUID()));
    } catch (e) {
      setError(e);
    }
  };

  const checks = [...(started ? [started] : []), ...(list.value ?? []).filter((c) => c.id !== started?.id)];
  const unsupported = list.error instanceof ApiError && (list.error.status === 404 || list.error.status === 400);
  return (
    <section class="card" aria-labelledby="gradcheck-title">
      <header>
        <h2 id="gradcheck-title">Gradient check</h2>
        <button type="button" class="small" onClick={start} disabled={!!started && ['queued', 'running'].includes(started.status)}>
          Run a gradient check
        </button>
      </header>
      <div class="body">
        {error ? <ErrorNote error={error} what="Could not start the check" /> : null}
        {unsupported && checks.length === 0 ? <p class="muted">This server does not list gradient checks by run yet.</p> : list.error ? <ErrorNote error={list.error} /> : null}
        {checks.length === 0 && !list.loading && !list.error && <p class="muted">No gradient check of this run's network yet.</p>}
        {checks.map((c) => (
          <div key={c.id} class="gradcheck">
            <p class="toolbar">
              <StatusBadge status={c.status} />
              <span class="muted small-note">{dateTime(c.createdAt)}</span>
            </p>
            <CheckTable check={c} />
          </div>
        ))}
      </div>
    </section>
  );
}
