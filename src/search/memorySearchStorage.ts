// The search storage and run recorder in memory: what `trainyard search` and the tests run on.
// It keeps the same records as Postgres (runs, stages, groups, rung values, checkpoints, points)
// with the same rules for what each operation changes, including lease fencing, so that the
// conformance suite can require identical outcomes from both.
import { randomUUID } from 'node:crypto';
import type { EpochSummary, EvalPoint, SplitMetrics, TrainingResult } from '../core/training/metrics.js';
import type { RunRecorder, StoredCheckpoint } from '../trainer/runRecorder.js';
import type { StagePlan } from './stagePlanner.js';
import type {
  GroupClaim,
  GroupRecord,
  GroupStatus,
  NewGroup,
  NewTrial,
  ReusableRun,
  RungEntryInput,
  RungEntryRecord,
  RungTx,
  SearchRecord,
  SearchStatus,
  SearchStorage,
  SearchTx,
  StageRecord,
  TrialRecord,
  TrialStatus,
} from './searchStorage.js';

export interface MemoryRun extends TrialRecord {
  searchId: string;
  name: string;
  train: SplitMetrics | null;
  validation: SplitMetrics | null;
  test: SplitMetrics | null;
  prunedAtStep: number | null;
  step: number;
  backend: string | null;
  error: string | null;
  cancelRequested: boolean;
  lease: string | null;
  checkpoint: StoredCheckpoint | null;
  points: EvalPoint[];
  epochs: EpochSummary[];
  result: TrainingResult | null;
}

export interface MemorySearch extends SearchRecord {
  error: string | null;
  bestRunId: string | null;
  stages: (StageRecord & { plan: StagePlan; lineage: { bestRunId: string | null; secondRunId: string | null } })[];
  groups: GroupRecord[];
  /** Rung values by `${stage}:${step}`, in the order recorded. */
  rungs: Map<string, (RungEntryRecord & { train: SplitMetrics; validation: SplitMetrics })[]>;
}

export interface MemorySearchStorage extends SearchStorage {
  createSearch(spec: unknown, projectId?: string): string;
  searchOf(id: string): MemorySearch;
  runsOf(searchId: string): MemoryRun[];
  recorder(lease: string): RunRecorder;
}

const TERMINAL: readonly TrialStatus[] = ['succeeded', 'failed', 'cancelled', 'pruned'];
const ACTIVE: readonly TrialStatus[] = ['queued', 'running'];

export function createMemorySearchStorage(): MemorySearchStorage {
  const searches = new Map<string, MemorySearch>();
  const runs = new Map<string, MemoryRun>();
  // One operation at a time, as Postgres' locks would have it (callers may interleave at awaits).
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(f: () => Promise<T>): Promise<T> => {
    const next = lock.then(f, f);
    lock = next.catch(() => {});
    return next;
  };
  const searchRuns = (searchId: string) => [...runs.values()].filter((r) => r.searchId === searchId).sort((a, b) => a.stage - b.stage || a.trialIndex - b.trialIndex);
  const snapshot = (r: MemoryRun): TrialRecord => ({
    id: r.id,
    stage: r.stage,
    trialIndex: r.trialIndex,
    params: r.params,
    spec: r.spec,
    specHash: r.specHash,
    status: r.status,
    objective: r.objective,
    groupId: r.groupId,
    reusedFromRunId: r.reusedFromRunId,
  });
  const copyOutcome = (to: MemoryRun, from: MemoryRun) => {
    Object.assign(to, { status: from.status, train: from.train, validation: from.validation, test: from.test, objective: from.objective, prunedAtStep: from.prunedAtStep, step: from.step, backend: from.backend, error: from.error });
  };

  const rungTx = (s: MemorySearch, stage: number, step: number): RungTx => {
    const key = `${stage}:${step}`;
    const list = () => s.rungs.get(key) ?? [];
    return {
      entries: async () => list().map((e) => ({ runId: e.runId, value: e.value, promoted: e.promoted })),
      record: async (entries: RungEntryInput[]) => {
        s.rungs.set(key, [...list(), ...entries.map((e) => ({ ...e, promoted: null }))]);
      },
      trials: async () => searchRuns(s.id).filter((r) => r.stage === stage).map(snapshot),
      decide: async (promoted) => {
        for (const e of list()) {
          if (!promoted.has(e.runId)) continue;
          e.promoted = promoted.get(e.runId)!;
          const r = runs.get(e.runId);
          if (e.promoted || !r || !ACTIVE.includes(r.status)) continue;
          Object.assign(r, { status: 'pruned', objective: Number.isFinite(e.value) ? e.value : null, prunedAtStep: step, step, train: e.train, validation: e.validation, test: null, lease: null });
        }
      },
    };
  };

  const searchTx = (s: MemorySearch): SearchTx => ({
    search: async () => ({ id: s.id, projectId: s.projectId, spec: s.spec, status: s.status, cancelRequested: s.cancelRequested, stepFailures: s.stepFailures }),
    setStatus: async (status: SearchStatus, error?: string) => {
      s.status = status;
      if (error !== undefined) s.error = error;
    },
    stages: async () => s.stages.map((st) => ({ stage: st.stage, kind: st.kind, closed: st.closed })),
    insertStage: async (plan, lineage) => {
      s.stages.push({ stage: plan.stage, kind: plan.kind, closed: false, plan, lineage });
    },
    closeStage: async (stage) => {
      const st = s.stages.find((x) => x.stage === stage);
      if (st) st.closed = true;
    },
    trials: async () => searchRuns(s.id).map(snapshot),
    reusableRuns: async (hashes) => {
      const out: ReusableRun[] = [];
      for (const r of runs.values()) {
        const owner = searches.get(r.searchId);
        if (owner?.projectId === s.projectId && r.status === 'succeeded' && r.reusedFromRunId === null && hashes.includes(r.specHash)) out.push({ runId: r.id, specHash: r.specHash, train: r.train, validation: r.validation });
      }
      return out;
    },
    insertTrials: async (groups: NewGroup[], trials: NewTrial[]) => {
      for (const g of groups) s.groups.push({ ...g, status: 'pending', waitStep: null, releases: 0 });
      for (const t of trials) {
        const run: MemoryRun = {
          id: t.id,
          searchId: s.id,
          stage: t.stage,
          trialIndex: t.trialIndex,
          name: t.name,
          params: t.params,
          spec: t.spec,
          specHash: t.specHash,
          status: 'queued',
          objective: null,
          groupId: t.groupId,
          reusedFromRunId: t.twinId ?? t.reuse?.runId ?? null,
          train: null,
          validation: null,
          test: null,
          prunedAtStep: null,
          step: 0,
          backend: null,
          error: null,
          cancelRequested: false,
          lease: null,
          checkpoint: null,
          points: [],
          epochs: [],
          result: null,
        };
        if (t.reuse) {
          copyOutcome(run, runs.get(t.reuse.runId)!);
          run.objective = t.reuse.objective;
        }
        runs.set(run.id, run);
      }
    },
    settleTwins: async () => {
      for (const r of searchRuns(s.id)) {
        const twin = r.reusedFromRunId ? runs.get(r.reusedFromRunId) : undefined;
        if (r.status === 'queued' && twin && TERMINAL.includes(twin.status)) copyOutcome(r, twin);
      }
    },
    groups: async () => s.groups.map((g) => ({ ...g })),
    setGroupStatus: async (ids, status: GroupStatus) => {
      for (const g of s.groups) {
        if (!ids.includes(g.id)) continue;
        g.status = status;
        if (status !== 'waiting') g.waitStep = null;
        if (status === 'enqueued') g.releases++;
      }
    },
    cancelTrials: async () => {
      s.cancelRequested = true;
      let running = 0;
      for (const r of searchRuns(s.id)) {
        if (r.status === 'queued') Object.assign(r, { status: 'cancelled', cancelRequested: true });
        else if (r.status === 'running') {
          r.cancelRequested = true;
          running++;
        }
      }
      if (running === 0) for (const g of s.groups) g.status = 'done';
      return running;
    },
    cancelQueuedTrials: async () => {
      for (const r of searchRuns(s.id)) if (r.status === 'queued') r.status = 'cancelled';
    },
    setBest: async (runId) => {
      s.bestRunId = runId;
    },
    clearStepFailures: async () => {
      s.stepFailures = 0;
    },
    rungs: async (stage) => {
      const out = new Map<number, RungEntryRecord[]>();
      for (const [key, list] of s.rungs) {
        const [st, step] = key.split(':').map(Number);
        if (st === stage) out.set(step, list.map((e) => ({ runId: e.runId, value: e.value, promoted: e.promoted })));
      }
      return out;
    },
    inRung: async (stage, step, f) => f(rungTx(s, stage, step)),
  });

  const owned = (id: string, lease: string) => {
    const r = runs.get(id);
    return r && r.lease === lease && ACTIVE.includes(r.status) ? r : undefined;
  };

  const recorder = (lease: string): RunRecorder => ({
    checkpoints: async (ids) => ids.map((id) => runs.get(id)?.checkpoint ?? null),
    dropPointsAfter: async (ids, step) => {
      for (const id of ids) {
        const r = owned(id, lease);
        if (r) r.points = r.points.filter((p) => p.step <= step);
      }
    },
    resetHistory: async (ids) => {
      for (const id of ids) {
        const r = owned(id, lease);
        if (r) Object.assign(r, { points: [], epochs: [], checkpoint: null });
      }
    },
    writePoints: async (list, progress) => {
      for (const { runId, points } of list) {
        const r = owned(runId, lease);
        if (!r) continue;
        r.points.push(...points);
        r.step = progress.step;
      }
    },
    commitEpochs: async (commits, progress) => {
      for (const c of commits) {
        const r = owned(c.runId, lease);
        if (!r) continue;
        r.points.push(...c.points);
        r.epochs.push(c.summary);
        r.checkpoint = { step: c.summary.step, epoch: c.summary.epoch, data: c.checkpoint };
        r.step = progress.step;
      }
    },
    handBack: async (list, step, epoch) => {
      for (const c of list) {
        const r = owned(c.runId, lease);
        if (!r) continue;
        r.points.push(...c.points);
        Object.assign(r, { checkpoint: { step, epoch, data: c.checkpoint }, status: 'queued', step, lease: null });
      }
    },
    finish: async (f) => {
      const r = owned(f.runId, lease);
      if (!r) return;
      r.points.push(...f.points);
      Object.assign(r, { status: 'succeeded', train: f.result.train, validation: f.result.validation, test: f.result.test, step: f.result.steps, backend: f.backend, result: f.result, lease: null });
      if (f.objective !== undefined) r.objective = Number.isFinite(f.objective) ? f.objective : null;
    },
    fail: async (id, message) => {
      const r = owned(id, lease);
      if (r) Object.assign(r, { status: 'failed', error: message, lease: null });
    },
    markCancelled: async (ids) => {
      for (const id of ids) {
        const r = owned(id, lease);
        if (r) Object.assign(r, { status: 'cancelled', lease: null });
      }
    },
    stopRequested: async (ids) => ids.filter((id) => !owned(id, lease) || runs.get(id)!.cancelRequested),
  });

  return {
    createSearch(spec, projectId = 'local') {
      const id = randomUUID();
      searches.set(id, { id, projectId, spec, status: 'queued', cancelRequested: false, stepFailures: 0, error: null, bestRunId: null, stages: [], groups: [], rungs: new Map() });
      return id;
    },
    searchOf: (id) => searches.get(id)!,
    runsOf: searchRuns,
    recorder,
    inSearch: (searchId, f) =>
      exclusive(async () => {
        const s = searches.get(searchId);
        return s ? f(searchTx(s)) : null;
      }),
    inRung: (searchId, stage, step, f) => exclusive(async () => f(rungTx(searches.get(searchId)!, stage, step))),
    noteStepFailure: async (searchId) => {
      const s = searches.get(searchId);
      if (!s) return 0;
      return ++s.stepFailures;
    },
    claimGroup: (groupId) =>
      exclusive(async () => {
        const s = [...searches.values()].find((x) => x.groups.some((g) => g.id === groupId));
        const g = s?.groups.find((x) => x.id === groupId);
        if (!s || !g) return null;
        const lease = randomUUID();
        const members = searchRuns(s.id).filter((r) => r.groupId === groupId && ACTIVE.includes(r.status));
        for (const r of members) {
          if (r.cancelRequested) Object.assign(r, { status: 'cancelled', lease: null });
          else Object.assign(r, { status: 'running', lease });
        }
        const claim: GroupClaim = { searchId: s.id, searchSpec: s.spec, stage: g.stage, members: members.filter((r) => r.status === 'running').map((r) => ({ id: r.id, spec: r.spec })), lease };
        return claim;
      }),
    parkGroup: (groupId, step) =>
      exclusive(async () => {
        for (const s of searches.values()) {
          const g = s.groups.find((x) => x.id === groupId);
          if (g && g.status !== 'done') Object.assign(g, { status: 'waiting', waitStep: step });
        }
      }),
    stageGroupsTraining: (searchId, stage, except, step) =>
      exclusive(async () => {
        const s = searches.get(searchId)!;
        const members = searchRuns(searchId);
        let unfinished = 0;
        let training = 0;
        for (const g of s.groups) {
          if (g.id === except || g.stage !== stage || g.status === 'done' || (g.status === 'waiting' && g.waitStep === step)) continue;
          const mine = members.filter((r) => r.groupId === g.id && ACTIVE.includes(r.status));
          if (mine.length === 0) continue;
          unfinished++;
          if (mine.some((r) => r.status === 'running')) training++;
        }
        return { unfinished, training };
      }),
  };
}
