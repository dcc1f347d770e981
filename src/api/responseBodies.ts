// Store rows to API bodies (the shapes in openapi.yaml): runs, gradient checks, searches with
// their stages, and leaderboard entries.
import type { PrunedReason, Rung } from '../search/rungLadder.js';
import type { GradientCheckRow } from '../store/gradientChecks.js';
import type { RunRow } from '../store/runs.js';
import type { BoardRow } from '../store/leaderboard.js';
import type { SearchDetails, SearchRow, SearchStageRow, StatusCounts } from '../store/searches.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A split's metrics, or null until all three are known. */
function split(loss: number | null, cost: number | null, accuracy: number | null) {
  return loss === null || cost === null || accuracy === null ? null : { loss, cost, accuracy };
}

export function runLinks(id: string) {
  const self = `/v1/runs/${id}`;
  return { self, epochs: `${self}/epochs`, metrics: `${self}/metrics`, artifacts: `${self}/artifacts`, cancel: `${self}/cancel` };
}

/** A search trial's place in its search; null for runs submitted on their own. */
function trialOf(r: RunRow, pruned: PrunedReason | null) {
  if (!r.searchId) return null;
  return {
    searchId: r.searchId,
    stage: r.stage!,
    trialIndex: r.trialIndex!,
    params: (r.params ?? {}) as Record<string, unknown>,
    objective: r.objective,
    reusedFrom: r.reusedFromRunId,
    prunedAtStep: r.prunedAtStep,
    pruned,
  };
}

/** Progress older than this, on a running run, means its worker stopped writing. */
export const STALE_AFTER_MS = 15_000;

/** Why a run is where it is, when its status alone would mislead. */
function statusDetail(r: RunRow, now: number): string | null {
  const quiet = Math.round((now - r.updatedAt.getTime()) / 1000);
  if (r.status === 'running' && quiet * 1000 > STALE_AFTER_MS) {
    return `no progress for ${quiet} s: its worker may have stopped; the run resumes elsewhere from its last checkpoint (step ${r.step} or earlier) once that worker's lease runs out`;
  }
  if (r.status === 'queued' && r.attempts > 0 && r.step > 0) return `waiting for a worker to resume it from step ${r.step}`;
  return null;
}

export function runBody(r: RunRow, o: { now?: number; pruned?: PrunedReason | null } = {}) {
  const now = o.now ?? Date.now();
  const validation = split(r.validationLoss, r.validationCost, r.validationAccuracy);
  return {
    id: r.id,
    name: r.name,
    tags: r.tags,
    notes: r.notes,
    status: r.status,
    statusDetail: statusDetail(r, now),
    cancelRequested: r.cancelRequestedAt !== null,
    progress: {
      epoch: r.epoch,
      epochs: r.epochsTotal,
      step: r.step,
      steps: r.stepsTotal,
      fraction: r.stepsTotal > 0 ? Math.min(1, r.step / r.stepsTotal) : 0,
      secondsLeft: r.status === 'succeeded' ? 0 : r.status === 'running' ? r.secondsLeft : null,
    },
    spec: r.spec,
    // A pruned trial has train and validation metrics at its rung but no test metrics.
    metrics: validation
      ? {
          train: split(r.trainLoss, r.trainCost, r.trainAccuracy),
          validation,
          test: split(r.testLoss, r.testCost, r.testAccuracy),
        }
      : null,
    trial: trialOf(r, o.pruned ?? null),
    backend: r.backend,
    error: r.error,
    attempts: r.attempts,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    links: runLinks(r.id),
  };
}

export function gradientCheckBody(g: GradientCheckRow) {
  return {
    id: g.id,
    runId: g.runId,
    status: g.status,
    options: g.options,
    spec: g.spec,
    result: g.result ?? null,
    error: g.error,
    attempts: g.attempts,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
    startedAt: iso(g.startedAt),
    finishedAt: iso(g.finishedAt),
    links: { self: `/v1/gradient-checks/${g.id}` },
  };
}

export function searchLinks(id: string) {
  const self = `/v1/searches/${id}`;
  return { self, leaderboard: `${self}/leaderboard`, trials: `/v1/runs?searchId=${id}`, cancel: `${self}/cancel` };
}

function countsBody(c: StatusCounts | undefined) {
  const z = c ?? { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, pruned: 0, reused: 0, total: 0 };
  return { queued: z.queued, running: z.running, succeeded: z.succeeded, pruned: z.pruned, failed: z.failed, cancelled: z.cancelled, reused: z.reused, total: z.total };
}

function stageBody(st: SearchStageRow, counts: StatusCounts | undefined) {
  return {
    stage: st.stage,
    kind: st.kind,
    intervals: st.intervals,
    fixed: st.fixed,
    trials: st.trials,
    counts: countsBody(counts),
    lineage:
      st.parentStage === null
        ? null
        : { parentStage: st.parentStage, bestRunId: st.lineageBestRunId, secondRunId: st.lineageSecondRunId, best: st.lineageBestParams ?? null, second: st.lineageSecondParams ?? null },
    createdAt: st.createdAt.toISOString(),
    finishedAt: iso(st.finishedAt),
  };
}

export function searchBody(s: SearchRow, details: SearchDetails) {
  const counts = details.counts.get(s.id);
  return {
    id: s.id,
    name: s.name,
    parentSearchId: s.parentSearchId,
    status: s.status,
    cancelRequested: s.cancelRequestedAt !== null,
    strategy: s.strategy,
    objective: { metric: s.objectiveMetric, direction: s.direction },
    spec: s.spec,
    stagesTotal: s.stagesTotal,
    stages: details.stages.filter((st) => st.searchId === s.id).map((st) => stageBody(st, counts?.byStage.get(st.stage))),
    counts: countsBody(counts?.all),
    best: s.bestRunId ? { runId: s.bestRunId, params: s.bestParams ?? {}, objective: s.bestObjective, metrics: s.bestMetrics ?? null } : null,
    error: s.error,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    links: searchLinks(s.id),
  };
}

function metricsOf(r: BoardRow) {
  return {
    train: split(r.train_loss, r.train_cost, r.train_accuracy),
    validation: split(r.validation_loss, r.validation_cost, r.validation_accuracy),
    test: split(r.test_loss, r.test_cost, r.test_accuracy),
  };
}

export function searchBoardEntry(r: BoardRow, rank: number, pruned: PrunedReason | null = null) {
  return {
    rank,
    runId: r.id,
    name: r.name,
    stage: r.stage!,
    trialIndex: r.trial_index!,
    status: r.status,
    params: r.params ?? {},
    objective: r.objective,
    value: r.value,
    metrics: metricsOf(r),
    reusedFrom: r.reused_from_run_id,
    prunedAtStep: r.pruned_at_step,
    pruned,
    links: { run: `/v1/runs/${r.id}` },
  };
}

export function projectBoardEntry(r: BoardRow, rank: number) {
  return {
    rank,
    runId: r.id,
    name: r.name,
    searchId: r.search_id,
    stage: r.stage,
    params: r.params,
    value: r.value!,
    metrics: metricsOf(r),
    model: { hidden: r.hidden ?? [], batchNorm: r.batch_norm },
    lambda: r.lambda,
    finishedAt: iso(r.finished_at),
    links: { run: `/v1/runs/${r.id}` },
  };
}

export function rungsBody(searchId: string, ladder: { pruning: { kind: 'successiveHalving'; reduction: number } | null; rungs: Rung[] }) {
  return { searchId, pruning: ladder.pruning, rungs: ladder.rungs };
}
