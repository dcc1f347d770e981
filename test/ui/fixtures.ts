// Small builders for API shapes used across the UI unit tests.
import type { LeaderboardEntry, MetricPoint, Search } from '../../src/ui/api/types';

export function point(step: number, over: Partial<MetricPoint> = {}): MetricPoint {
  const m = { loss: 2 - step / 1000, cost: 2.1 - step / 1000, accuracy: step / 1000 };
  return { step, epoch: step / 100, lr: 0.01, full: false, seconds: step / 10, train: { ...m }, validation: { ...m, accuracy: m.accuracy * 0.9 }, ...over };
}

export function entry(runId: string, params: Record<string, unknown>, objective: number | null, over: Partial<LeaderboardEntry> = {}): LeaderboardEntry {
  return {
    runId,
    name: null,
    stage: 0,
    trialIndex: 0,
    status: 'succeeded',
    params,
    objective,
    metrics: { train: null, validation: null, test: null },
    reusedFrom: null,
    prunedAtStep: null,
    ...over,
  };
}

export function search(space: Search['spec']['space'], over: Partial<Search['spec']> = {}): Search {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    name: 'parent',
    status: 'succeeded',
    cancelRequested: false,
    strategy: over.strategy?.kind ?? 'random',
    objective: { metric: 'validationAccuracy', direction: 'maximize' },
    spec: {
      base: { data: { dataset: 'synthetic' }, model: { hidden: [32], batchNorm: 'none' }, training: { batchSize: 50, lambda: 0, momentum: 0, schedule: { kind: 'constant', eta: 0.1, epochs: 2 } }, precision: 'float32', seed: 1 },
      space,
      strategy: { kind: 'random', trials: 8, seed: 1 },
      objective: { metric: 'validationAccuracy' },
      budget: { maxTrials: 200, maxParallel: 8 },
      fuse: true,
      ...over,
    },
    stagesTotal: 1,
    stages: [],
    counts: { queued: 0, running: 0, succeeded: 0, pruned: 0, failed: 0, cancelled: 0, reused: 0, total: 0 },
    best: null,
    error: null,
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
  };
}
