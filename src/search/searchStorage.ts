// What the search driver needs from a storage: records only, no policy. Two implementations
// answer it: in memory (src/search/memorySearchStorage.ts: the CLI and tests) and Postgres
// (src/store/pgSearchStorage.ts: the service). test/search/storageConformance.test.ts runs the
// same searches against both and requires identical trials, groups, rung decisions and results.
import type { SplitMetrics } from '../core/training/metrics.js';
import type { ParameterValues } from './parameters.js';
import type { StagePlan } from './stagePlanner.js';

export type TrialStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'pruned';
export type SearchStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
/** pending: planned, waiting for budget; enqueued: released to a trainer; waiting: parked at a rung until it is decided. */
export type GroupStatus = 'pending' | 'enqueued' | 'waiting' | 'done';

export interface SearchRecord {
  id: string;
  projectId: string;
  /** The stored search request, as submitted after normalisation (parse it again). */
  spec: unknown;
  status: SearchStatus;
  cancelRequested: boolean;
  /** Consecutive steps that failed (reset by a step that succeeds). */
  stepFailures: number;
}

/** One trial's objective at one rung step, with whether it continued (null: undecided). */
export interface RungRow {
  stage: number;
  step: number;
  runId: string;
  trialIndex: number;
  params: Record<string, unknown>;
  value: number;
  promoted: boolean | null;
}

export interface StageRecord {
  stage: number;
  kind: StagePlan['kind'];
  closed: boolean;
}

export interface TrialRecord {
  id: string;
  stage: number;
  trialIndex: number;
  params: ParameterValues;
  /** The trial's full experiment spec (stored JSON). */
  spec: unknown;
  specHash: string;
  status: TrialStatus;
  objective: number | null;
  groupId: string | null;
  reusedFromRunId: string | null;
}

export interface GroupRecord {
  id: string;
  stage: number;
  position: number;
  size: number;
  status: GroupStatus;
  /** For a waiting group: the rung step it waits at. */
  waitStep: number | null;
  /** Times released to a trainer (the queue's job id includes it). */
  releases: number;
}

/** A finished run of the project with the same spec hash, whose result a trial can copy. */
export interface ReusableRun {
  runId: string;
  specHash: string;
  train: SplitMetrics | null;
  validation: SplitMetrics | null;
}

export interface NewTrial {
  id: string;
  stage: number;
  trialIndex: number;
  name: string;
  spec: unknown;
  specHash: string;
  params: ParameterValues;
  groupId: string | null;
  /** A trial of this search with the same spec: this one waits for it and copies its outcome. */
  twinId: string | null;
  /** A succeeded run elsewhere in the project: its result is copied now, with this objective. */
  reuse: { runId: string; objective: number | null } | null;
}

export interface NewGroup {
  id: string;
  stage: number;
  position: number;
  size: number;
}

export interface RungEntryRecord {
  runId: string;
  value: number;
  /** null until the rung is decided. */
  promoted: boolean | null;
}

export interface RungEntryInput {
  runId: string;
  /** The objective's value at the rung. */
  value: number;
  /** Recorded as a pruned trial's metrics. */
  train: SplitMetrics;
  validation: SplitMetrics;
}

/** One search, locked for the duration of a transaction. */
export interface SearchTx {
  search(): Promise<SearchRecord>;
  setStatus(status: SearchStatus, error?: string): Promise<void>;
  stages(): Promise<StageRecord[]>;
  insertStage(plan: StagePlan, lineage: { bestRunId: string | null; secondRunId: string | null }): Promise<void>;
  closeStage(stage: number): Promise<void>;
  trials(): Promise<TrialRecord[]>;
  reusableRuns(hashes: string[]): Promise<ReusableRun[]>;
  insertTrials(groups: NewGroup[], trials: NewTrial[]): Promise<void>;
  /** Trials waiting for a twin take its outcome once the twin has finished. */
  settleTwins(): Promise<void>;
  groups(): Promise<GroupRecord[]>;
  /** Releasing counts as one more release (the queue job of the new attempt). */
  setGroupStatus(ids: string[], status: GroupStatus): Promise<void>;
  /** Cancels queued trials and flags running ones to stop; returns how many still run. */
  cancelTrials(): Promise<number>;
  /** Queued trials will not run: the search ended without them. */
  cancelQueuedTrials(): Promise<void>;
  setBest(runId: string | null): Promise<void>;
  /** A step got through: the count of consecutive failed steps starts again. */
  clearStepFailures(): Promise<void>;
  /** The values recorded at the stage's rungs, by step. */
  rungs(stage: number): Promise<Map<number, RungEntryRecord[]>>;
  /** Runs f on one rung of this search with the rung locked, within this transaction. */
  inRung<T>(stage: number, step: number, f: (tx: RungTx) => Promise<T>): Promise<T>;
}

/** One rung of one stage, locked while its values are recorded and decided. */
export interface RungTx {
  entries(): Promise<RungEntryRecord[]>;
  record(entries: RungEntryInput[]): Promise<void>;
  /** The stage's trials (to know who still has to reach the rung). */
  trials(): Promise<TrialRecord[]>;
  /** Stores decisions: promoted ones continue, running ones not promoted become pruned with their rung metrics. */
  decide(promoted: Map<string, boolean>): Promise<void>;
}

export interface GroupClaim {
  searchId: string;
  /** The stored search request (parse it again). */
  searchSpec: unknown;
  stage: number;
  /** The unfinished members in plan order, now running under `lease`. */
  members: { id: string; spec: unknown }[];
  lease: string;
}

export interface SearchStorage {
  /** Runs f with the search locked; null when there is no such search. */
  inSearch<T>(searchId: string, f: (tx: SearchTx) => Promise<T>): Promise<T | null>;
  inRung<T>(searchId: string, stage: number, step: number, f: (tx: RungTx) => Promise<T>): Promise<T>;
  /** Counts one more failed step (outside any step's transaction, which failed); returns the count. */
  noteStepFailure(searchId: string): Promise<number>;
  /** Marks the group's unfinished members running under a new lease (cancel-requested ones are cancelled). */
  claimGroup(groupId: string): Promise<GroupClaim | null>;
  /** The group's trainer stopped at a rung that is not decided yet. */
  parkGroup(groupId: string, step: number): Promise<void>;
  /**
   * The stage's other groups that still have trials to bring to the rung at `step` (those parked
   * there already brought theirs), and how many of them train now.
   */
  stageGroupsTraining(searchId: string, stage: number, except: string, step: number): Promise<{ unfinished: number; training: number }>;
}
