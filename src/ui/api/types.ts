// The API's response shapes as the dashboard reads them (openapi.yaml plus DASHBOARD_API.md).
// Only the fields the dashboard uses are typed; the server may send more.

// Shapes the server defines once, imported as types only (nothing of the server is bundled).
import type { EpochSummary, SplitMetrics } from '../../core/training/metrics';
import type { LadderEntry, PrunedReason, Rung } from '../../search/rungLadder';

export type { SplitMetrics };

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'pruned';
export type SearchStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type Direction = 'maximize' | 'minimize';

export interface Problem {
  path: string;
  message: string;
}


export interface Metrics {
  train: SplitMetrics | null;
  validation: SplitMetrics | null;
  test: SplitMetrics | null;
}

export type Params = Record<string, unknown>;

export type Schedule =
  | { kind: 'constant'; eta: number; epochs: number }
  | { kind: 'stepDecay'; eta: number; decay: number; epochs: number }
  | { kind: 'cyclical'; etaMin: number; etaMax: number; stepSize: number; cycles: number };

/** The stored experiment spec (every default filled in). */
export interface ExperimentSpec {
  name?: string;
  data: { dataset: 'cifar10' | 'synthetic'; [k: string]: unknown };
  model: { hidden: number[]; batchNorm: 'none' | 'before' | 'after'; [k: string]: unknown };
  training: { batchSize: number; lambda: number; schedule: Schedule; momentum: number; [k: string]: unknown };
  precision: string;
  seed: number;
  [k: string]: unknown;
}

/** Why successive halving stopped a trial (DASHBOARD_API.md). */
/** Why successive halving stopped a trial: the server's record (`why` composed here when absent). */
export type Pruned = Omit<PrunedReason, 'why'> & { why?: string };

export interface Trial {
  searchId: string;
  stage: number;
  trialIndex: number;
  params: Params;
  objective: number | null;
  reusedFrom: string | null;
  prunedAtStep: number | null;
  pruned?: Pruned | null;
}

export interface Progress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  fraction: number;
  secondsLeft: number | null;
}

export interface Run {
  id: string;
  name: string | null;
  tags: string[];
  notes?: string | null;
  status: RunStatus;
  cancelRequested: boolean;
  progress: Progress;
  spec: ExperimentSpec;
  metrics: { train: SplitMetrics; validation: SplitMetrics; test: SplitMetrics | null } | null;
  trial: Trial | null;
  backend: string | null;
  error: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunList {
  runs: Run[];
  nextCursor: string | null;
  total?: number;
}

export interface TrainValidation {
  train: SplitMetrics;
  validation: SplitMetrics;
}

export interface MetricPoint {
  step: number;
  epoch: number;
  lr: number;
  full: boolean;
  seconds?: number | null;
  train: SplitMetrics;
  validation: SplitMetrics;
  /** min and max are absent when asked for without the envelope (compare). */
  bucket?: { fromStep: number; toStep: number; count: number; min?: TrainValidation; max?: TrainValidation };
}

export interface MetricList {
  runId: string;
  thinned: boolean;
  bucketWidth: number;
  points: MetricPoint[];
  nextCursor: string | null;
}

export interface MetricSeries {
  runId: string;
  thinned: boolean;
  bucketWidth: number;
  points: MetricPoint[];
}

export interface Epoch extends EpochSummary {
  createdAt: string;
}

export interface Artifact {
  name: string;
  contentType: string;
  size: number;
  createdAt: string;
  url: string;
}

export interface Interval {
  lo: number;
  hi: number;
  log: boolean;
}

export interface Counts {
  queued: number;
  running: number;
  succeeded: number;
  pruned: number;
  failed: number;
  cancelled: number;
  reused: number;
  total: number;
}

export interface SearchStage {
  stage: number;
  kind: 'search' | 'finalRetrain';
  intervals: Record<string, Interval>;
  fixed: Params;
  trials: number;
  counts: Counts;
  lineage: { parentStage: number; bestRunId: string | null; secondRunId: string | null; best: Params; second: Params | null } | null;
  createdAt: string;
  finishedAt: string | null;
}

export type Dimension =
  | { values: unknown[] }
  | { uniform: [number, number]; points?: number }
  | { logUniform: [number, number]; points?: number }
  | { intRange: { min: number; max: number; step: number } };

export type Strategy =
  | { kind: 'grid' }
  | { kind: 'random'; trials: number; seed: number }
  | { kind: 'coarseToFine'; trials: number; stages: number; sampling: 'random' | 'grid'; seed: number; finalRetrain?: { overrides: Record<string, unknown> } };

export interface SearchSpec {
  name?: string;
  base: ExperimentSpec;
  space: Record<string, Dimension>;
  strategy: Strategy;
  objective: { metric: string; direction?: Direction };
  budget: { maxTrials: number; maxParallel: number };
  pruning?: { kind: 'successiveHalving'; reduction: number };
  fuse: boolean;
}

export interface Search {
  id: string;
  name: string | null;
  status: SearchStatus;
  cancelRequested: boolean;
  strategy: Strategy['kind'];
  objective: { metric: string; direction: Direction };
  spec: SearchSpec;
  stagesTotal: number;
  stages: SearchStage[];
  counts: Counts;
  best: { runId: string; params: Params; objective: number | null; metrics: Metrics | null } | null;
  error: string | null;
  parentSearchId?: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface SearchList {
  searches: Search[];
  nextCursor: string | null;
}

export interface LeaderboardEntry {
  rank?: number;
  runId: string;
  name: string | null;
  stage: number;
  trialIndex: number;
  status: RunStatus;
  params: Params;
  objective: number | null;
  value?: number | null;
  metrics: Metrics;
  reusedFrom: string | null;
  prunedAtStep: number | null;
  pruned?: Pruned | null;
}

export interface SearchLeaderboard {
  searchId: string;
  metric: string;
  direction: Direction;
  stage: number | null;
  entries: LeaderboardEntry[];
}

export type { LadderEntry as RungEntry, Rung };

export interface Rungs {
  searchId: string;
  pruning: { kind: 'successiveHalving'; reduction: number } | null;
  rungs: Rung[];
}

export interface Importance {
  objective: { metric: string; direction: Direction };
  trials: number;
  parameters: { name: string; importance: number; log: boolean }[];
}

export interface GradientTensor {
  name: string;
  size: number;
  relError: number;
  maxElementRelError: number;
  analyticNorm?: number;
}

export interface GradientCheck {
  id: string;
  status: RunStatus;
  options: { features: number; samples: number; h: number; method: string };
  result: { method: string; h: number; features: number; samples: number; sizes: number[]; maxRelError: number; tensors: GradientTensor[] } | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface Project {
  id: string;
  name: string;
}
