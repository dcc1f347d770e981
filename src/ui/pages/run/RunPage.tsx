// One run: status and progress (pushed while it trains), curves, final metrics, details, tags and
// notes, artifacts (with the W rows of one-layer networks), the gradient check and the spec.
import { useState } from 'preact/hooks';
import { useApi } from '../../app/apiContext';
import { href } from '../../app/route';
import { ErrorNote } from '../../components/ErrorNote';
import { LiveBadge } from '../../components/LiveBadge';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';
import { duration } from '../../lib/format';
import { maxPointsFor } from '../../lib/thinning';
import { CancelButton } from '../runs/CancelButton';
import { Artifacts } from './Artifacts';
import { FinalMetrics } from './FinalMetrics';
import { GradientChecks } from './GradientChecks';
import { RunCharts } from './RunCharts';
import { RunDetails } from './RunDetails';
import { RunNotes } from './RunNotes';
import { RunTitle } from './RunTitle';
import { SpecView } from './SpecView';
import { useRunData } from './useRunData';
import './runPage.css';

export function RunPage({ id }: { id: string }) {
  const api = useApi();
  const [plotWidth, setPlotWidth] = useState<number | null>(null);
  const data = useRunData(api, id, plotWidth === null ? null : maxPointsFor(plotWidth));
  const run = data.run;

  if (data.runError)
    return (
      <div class="page">
        <h1>Run</h1>
        <ErrorNote error={data.runError} what="Could not load the run" />
        <a href={href.runs()}>Back to the runs</a>
      </div>
    );
  if (!run)
    return (
      <div class="page">
        <h1>Run</h1>
        <p class="muted" role="status">
          Loading…
        </p>
      </div>
    );
  const active = run.status === 'running' || run.status === 'queued';
  return (
    <div class="page run-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.runs()}>Runs</a>
        {run.trial && (
          <>
            {' / '}
            <a href={href.search(run.trial.searchId)}>search</a>
          </>
        )}
      </nav>
      <div class="page-head">
        <RunTitle run={run} onSaved={data.setRun} />
        <StatusBadge status={run.status} cancelRequested={run.cancelRequested} />
        {run.status === 'running' && (
          <ProgressBar
            fraction={run.progress.fraction}
            label="Training progress"
            text={`${Math.round(run.progress.fraction * 100)}% · epoch ${run.progress.epoch}/${run.progress.epochs}${run.progress.secondsLeft !== null ? ` · ${duration(run.progress.secondsLeft)} left` : ''}`}
          />
        )}
        {active && <LiveBadge state={data.stream} />}
        <span class="spacer" />
        {active && !run.cancelRequested && <CancelButton run={run} onCancelled={data.setRun} />}
      </div>
      {data.metricsError ? <ErrorNote error={data.metricsError} what="Could not load the curves" /> : null}
      <RunCharts runId={run.id} cols={data.cols} version={data.version} onPlotWidth={setPlotWidth} />
      <div class="grid-2">
        <FinalMetrics run={run} />
        <RunDetails run={run} />
      </div>
      <div class="grid-2">
        <RunNotes run={run} onSaved={data.setRun} />
        <GradientChecks run={run} />
      </div>
      <Artifacts run={run} reloadKey={data.finished} />
      <SpecView run={run} />
    </div>
  );
}
