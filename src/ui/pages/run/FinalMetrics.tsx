// The run's final metrics per split (a pruned trial's at its rung, without test metrics).
import type { Run } from '../../api/types';
import { num, pct } from '../../lib/format';

export function FinalMetrics({ run }: { run: Run }) {
  const m = run.metrics;
  const splits = [
    { name: 'Training', v: m?.train ?? null },
    { name: 'Validation', v: m?.validation ?? null },
    { name: 'Test', v: m?.test ?? null },
  ];
  return (
    <section class="card" aria-labelledby="final-title">
      <header>
        <h2 id="final-title">Final metrics</h2>
        {run.status === 'pruned' && <span class="muted small-note">at the rung where it was pruned</span>}
      </header>
      <div class="body">
        {m ? (
          <table class="data compact">
            <thead>
              <tr>
                <th scope="col">Split</th>
                <th scope="col" class="num">
                  Accuracy
                </th>
                <th scope="col" class="num">
                  Loss
                </th>
                <th scope="col" class="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {splits.map((s) => (
                <tr key={s.name}>
                  <th scope="row">{s.name}</th>
                  <td class="num">{pct(s.v?.accuracy)}</td>
                  <td class="num">{num(s.v?.loss ?? null)}</td>
                  <td class="num">{num(s.v?.cost ?? null)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">{run.status === 'failed' ? 'The run failed before it finished.' : 'Final metrics appear when the run finishes.'}</p>
        )}
      </div>
    </section>
  );
}
