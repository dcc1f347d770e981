// The compared runs' specs, field by field (dotted paths), showing only the fields that differ
// unless asked for all; final metrics first.
import { useState } from 'preact/hooks';
import type { Run } from '../../api/types';
import { href } from '../../app/route';
import { useColorScheme } from '../../components/useColorScheme';
import { num, pct } from '../../lib/format';
import { runColor } from '../../lib/palette';
import { specDiff } from '../../lib/specDiff';

/** A flattened value for reading: strings without quotes, numbers to six digits (exact in the tooltip). */
function shown(v: string): string {
  const x = JSON.parse(v);
  if (typeof x === 'string') return x;
  if (typeof x === 'number') return num(x, 6);
  return v;
}

export function SpecDiffTable({ runs }: { runs: Run[] }) {
  const scheme = useColorScheme();
  const [all, setAll] = useState(false);
  const rows = specDiff(
    runs.map((r) => r.spec),
    all,
  );
  const metric = (label: string, f: (r: Run) => number | undefined) => (
    <tr class="metric-row">
      <th scope="row">{label}</th>
      {runs.map((r) => (
        <td key={r.id} class="num">
          {pct(f(r))}
        </td>
      ))}
    </tr>
  );
  return (
    <section class="card" aria-labelledby="diff-title">
      <header>
        <h2 id="diff-title">Specs</h2>
        <label class="inline">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
          Show every field
        </label>
        <span class="muted small-note">{all ? `${rows.length} fields` : `${rows.length} fields differ`}</span>
      </header>
      <div class="body">
        <table class="data compact diff" aria-label="Spec differences">
          <thead>
            <tr>
              <th scope="col">Field</th>
              {runs.map((r, i) => (
                <th key={r.id} scope="col">
                  <span class="swatch" style={{ background: runColor(i, scheme) }} aria-hidden="true" />
                  <a href={href.run(r.id)}>{r.name ?? r.id.slice(0, 8)}</a>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {metric('validation accuracy', (r) => r.metrics?.validation.accuracy)}
            {metric('test accuracy', (r) => r.metrics?.test?.accuracy)}
            {rows.map((row) => (
              <tr key={row.path}>
                <th scope="row" class="mono">
                  {row.path}
                </th>
                {row.values.map((v, i) => (
                  <td key={i} class={`mono${all && new Set(row.values).size > 1 ? ' differs' : ''}`} title={v ?? undefined}>
                    {v === null ? <span class="muted">—</span> : shown(v)}
                  </td>
                ))}
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={runs.length + 1} class="muted">
                  The specs are identical.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
