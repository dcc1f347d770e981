// Store rows to API bodies (the shapes in openapi.yaml).
import type { GradientCheckRow } from '../store/gradientChecks.js';
import type { RunRow } from '../store/runs.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function split(loss: number | null, cost: number | null, accuracy: number | null) {
  return loss === null || cost === null || accuracy === null ? null : { loss, cost, accuracy };
}

export function runLinks(id: string) {
  const self = `/v1/runs/${id}`;
  return { self, epochs: `${self}/epochs`, metrics: `${self}/metrics`, artifacts: `${self}/artifacts`, cancel: `${self}/cancel` };
}

/** A search trial's place in its search; null for runs submitted on their own. */
function trialOf(r: RunRow) {
  if (!r.searchId) return null;
  return {
    searchId: r.searchId,
    stage: r.stage!,
    trialIndex: r.trialIndex!,
    params: (r.params ?? {}) as Record<string, unknown>,
    objective: r.objective,
    reusedFrom: r.reusedFromRunId,
    prunedAtStep: r.prunedAtStep,
  };
}

export function runBody(r: RunRow) {
  const validation = split(r.validationLoss, r.validationCost, r.validationAccuracy);
  return {
    id: r.id,
    name: r.name,
    tags: r.tags,
    status: r.status,
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
    trial: trialOf(r),
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
