// The run's facts: what it trains, where it ran, when, and its place in a search.
import type { Run } from '../../api/types';
import { href } from '../../app/route';
import { dateTime, duration, num } from '../../lib/format';
import { etaText, hiddenText, scheduleText } from '../../lib/runFields';

export function RunDetails({ run }: { run: Run }) {
  const s = run.spec;
  const took = run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : null;
  return (
    <section class="card" aria-labelledby="details-title">
      <header>
        <h2 id="details-title">Details</h2>
      </header>
      <div class="body">
        <dl class="kv">
          <dt>Network</dt>
          <dd>
            {s.model.hidden.length ? `hidden ${hiddenText(s)}, batch norm ${s.model.batchNorm}` : 'one layer (no hidden layer)'}
          </dd>
          <dt>λ / η</dt>
          <dd>
            {num(s.training.lambda)} / {etaText(s.training.schedule)}
          </dd>
          <dt>Schedule</dt>
          <dd>
            {scheduleText(s.training.schedule)}, batch {s.training.batchSize}
          </dd>
          <dt>Data</dt>
          <dd>{s.data.dataset}</dd>
          <dt>Progress</dt>
          <dd>
            epoch {run.progress.epoch} of {run.progress.epochs}, step {run.progress.step.toLocaleString()} of {run.progress.steps.toLocaleString()}
          </dd>
          {run.trial && (
            <>
              <dt>Search</dt>
              <dd>
                <a href={href.search(run.trial.searchId)}>
                  stage {run.trial.stage}, trial #{run.trial.trialIndex}
                </a>
                {run.trial.reusedFrom && (
                  <>
                    {' '}
                    · reused <a href={href.run(run.trial.reusedFrom)}>an identical run</a>
                  </>
                )}
              </dd>
            </>
          )}
          <dt>Created</dt>
          <dd>{dateTime(run.createdAt)}</dd>
          <dt>Ran</dt>
          <dd>
            {run.startedAt ? `${dateTime(run.startedAt)}${took !== null ? `, ${duration(took)}` : ''}` : 'not started'}
            {run.backend ? ` on the ${run.backend} backend` : ''}
            {run.attempts > 1 ? `, ${run.attempts} attempts` : ''}
          </dd>
          {run.error && (
            <>
              <dt>Error</dt>
              <dd class="error-text">{run.error}</dd>
            </>
          )}
          <dt>ID</dt>
          <dd class="mono">{run.id}</dd>
        </dl>
      </div>
    </section>
  );
}
