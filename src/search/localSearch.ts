// Runs a whole search in this process (`trainyard search`): the service's driver and group
// training, the released groups trained one after another, over the in-memory storage (or any
// other: the conformance suite runs the same loop over Postgres).
import type { DatasetSplits } from '../core/data/dataset.js';
import type { Kernels } from '../core/kernels/kernels.js';
import type { TrainingResult } from '../core/training/metrics.js';
import type { ExperimentSpec } from '../experiment/experimentSpec.js';
import type { Progress, RunRecorder } from '../trainer/runRecorder.js';
import type { TrainLog } from '../trainer/trainMembers.js';
import { trainSearchGroup } from './groupTraining.js';
import { createMemorySearchStorage, type MemoryRun } from './memorySearchStorage.js';
import type { ParameterValues } from './parameters.js';
import { advanceSearch, type AdvanceResult } from './searchDriver.js';
import type { SearchStorage } from './searchStorage.js';
import type { SearchSpec } from './searchSpec.js';
import type { StagePlan } from './stagePlanner.js';

export type LocalTrialStatus = 'succeeded' | 'pruned' | 'reused' | 'failed' | 'cancelled';

export interface SearchTrial {
  /** Plan order over the whole search. */
  id: number;
  stage: number;
  params: ParameterValues;
  spec: ExperimentSpec;
  hash: string;
  status: LocalTrialStatus;
  objective: number | null;
  result: TrainingResult | null;
  /** The trial whose run this one reuses (identical spec). */
  reusedFrom: number | null;
  prunedAtStep: number | null;
}

export type SearchEvent =
  | { kind: 'stage'; plan: StagePlan }
  | { kind: 'group'; stage: number; trials: number[] }
  | { kind: 'progress'; stage: number; trials: number[]; step: number; totalSteps: number }
  | { kind: 'trial'; trial: SearchTrial };

export interface SearchOutcome {
  stages: StagePlan[];
  trials: SearchTrial[];
  best: SearchTrial | null;
  status: string;
  error: string | null;
}

export interface LocalSearchOptions {
  loadData: (spec: ExperimentSpec) => DatasetSplits;
  kernels: Kernels;
  onEvent?: (e: SearchEvent) => void;
  /** Groups are cut as if this many workers trained them (the service passes its live workers). */
  workers?: number;
}

const quiet: TrainLog = { info() {}, warn() {} };

export interface InProcessOptions {
  loadData: (spec: ExperimentSpec) => DatasetSplits;
  kernels: Kernels;
  workers: number;
  onStep?: (r: AdvanceResult) => void;
  onGroup?: (groupId: string) => void;
  onProgress?: (groupId: string, p: Progress & { totalSteps: number }) => void;
  onGroupEnd?: (groupId: string) => void;
}

/** The service's loop in one process: advance the search, train what it released one group at a time, until it ends. */
export async function trainSearchInProcess(storage: SearchStorage, recorder: (lease: string) => RunRecorder, searchId: string, o: InProcessOptions): Promise<void> {
  const queue: string[] = [];
  for (;;) {
    const step = await advanceSearch(storage, searchId, o.workers);
    o.onStep?.(step);
    queue.push(...step.released.map((g) => g.id));
    if (step.finished) return;
    const groupId = queue.shift();
    if (!groupId) throw new Error('the search has nothing to train but is not finished');
    o.onGroup?.(groupId);
    await trainSearchGroup(
      {
        storage,
        recorder,
        loadData: (members) => ({ ok: true, data: o.loadData(members[0].spec) }),
        kernels: o.kernels,
        log: quiet,
        stopRequested: () => false,
        onProgress: (_ids, p) => o.onProgress?.(groupId, p),
      },
      groupId,
    );
    o.onGroupEnd?.(groupId);
  }
}

export async function runSearchLocally(search: SearchSpec, opts: LocalSearchOptions): Promise<SearchOutcome> {
  const storage = createMemorySearchStorage();
  const id = storage.createSearch(JSON.parse(JSON.stringify(search)));
  const emit = opts.onEvent ?? (() => {});
  const reported = new Set<string>();
  const index = () => new Map(storage.runsOf(id).map((r, i) => [r.id, i]));
  const reportFinished = () => {
    const trials = outcomeTrials(storage.runsOf(id));
    storage.runsOf(id).forEach((r, i) => {
      if (reported.has(r.id) || r.status === 'queued' || r.status === 'running') return;
      reported.add(r.id);
      emit({ kind: 'trial', trial: trials[i] });
    });
  };
  let group: { stage: number; trials: number[]; lastStep: number } = { stage: 0, trials: [], lastStep: -1 };
  await trainSearchInProcess(storage, storage.recorder, id, {
    loadData: opts.loadData,
    kernels: opts.kernels,
    workers: opts.workers ?? 1,
    onStep: (step) => {
      for (const n of step.notes) if (n.msg === 'stage planned') emit({ kind: 'stage', plan: storage.searchOf(id).stages[n.stage as number].plan });
      reportFinished();
    },
    onGroup: (groupId) => {
      const at = index();
      const members = storage.runsOf(id).filter((r) => r.groupId === groupId && (r.status === 'queued' || r.status === 'running'));
      group = { stage: members[0]?.stage ?? 0, trials: members.map((r) => at.get(r.id)!), lastStep: -1 };
      emit({ kind: 'group', stage: group.stage, trials: group.trials });
    },
    onProgress: (_groupId, p) => {
      if (p.step === group.lastStep) return;
      group.lastStep = p.step;
      emit({ kind: 'progress', stage: group.stage, trials: group.trials, step: p.step, totalSteps: p.totalSteps });
    },
    onGroupEnd: reportFinished,
  });
  const trials = outcomeTrials(storage.runsOf(id));
  const s = storage.searchOf(id);
  const best = s.bestRunId ? (trials[index().get(s.bestRunId)!] ?? null) : null;
  return { stages: s.stages.map((st) => st.plan), trials, best, status: s.status, error: s.error };
}

/** The storage's runs as the CLI reports them, in plan order. */
function outcomeTrials(runs: MemoryRun[]): SearchTrial[] {
  const at = new Map(runs.map((r, i) => [r.id, i]));
  const result = (r: MemoryRun): TrainingResult | null => {
    if (r.result) return r.result;
    if (!r.train || !r.validation) return null;
    return { steps: r.step, epochs: r.epochs, points: r.points, train: r.train, validation: r.validation, test: r.test ?? { loss: NaN, cost: NaN, accuracy: NaN }, trainSeconds: 0 };
  };
  const trials = runs.map((r, i): SearchTrial => {
    const reusedFrom = r.reusedFromRunId !== null ? (at.get(r.reusedFromRunId) ?? null) : null;
    return {
      id: i,
      stage: r.stage,
      params: r.params,
      spec: r.spec as ExperimentSpec,
      hash: r.specHash,
      status: r.reusedFromRunId !== null ? 'reused' : (r.status as LocalTrialStatus),
      objective: r.objective,
      result: result(r),
      reusedFrom,
      prunedAtStep: r.prunedAtStep,
    };
  });
  for (const t of trials) if (t.reusedFrom !== null && !t.result) t.result = trials[t.reusedFrom].result;
  return trials;
}
