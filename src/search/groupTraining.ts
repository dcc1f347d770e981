// Training one released group of search trials, the same way wherever it runs (a worker's job in
// the service, the local loop of `trainyard search`): claim the group's unfinished members, train
// them fused with the search's objective and successive-halving rungs, park at a rung that is not
// decided yet. The caller then advances the search again.
import type { DatasetSplits } from '../core/data/dataset.js';
import type { Kernels } from '../core/kernels/kernels.js';
import { parseSpec } from '../experiment/experimentSpec.js';
import type { RunRecorder } from '../trainer/runRecorder.js';
import { trainMembers, type Member, type Pruning, type TrainLog, type TrainOptions, type TrainOutcome } from '../trainer/trainMembers.js';
import { objectiveValue } from './objective.js';
import { reachRung } from './rungs.js';
import { parseSearchSpec, type SearchSpec } from './searchSpec.js';
import type { SearchStorage } from './searchStorage.js';
import { rungSteps } from './successiveHalving.js';

export type LoadedData = { ok: true; data: DatasetSplits } | { ok: false; message: string };

export interface GroupTrainingDeps {
  storage: SearchStorage;
  /** The recorder for one attempt: its writes count only while it holds the lease. */
  recorder(lease: string): RunRecorder;
  /** A data problem the run cannot get past (a missing or corrupt file) is { ok: false }. */
  loadData(members: Member[]): LoadedData;
  kernels: Kernels;
  log: TrainLog;
  stopRequested: () => boolean;
  onProgress?: TrainOptions['onProgress'];
  pause?: TrainOptions['pause'];
}

export async function trainSearchGroup(deps: GroupTrainingDeps, groupId: string): Promise<TrainOutcome> {
  const claim = await deps.storage.claimGroup(groupId);
  if (!claim || claim.members.length === 0) return 'done';
  const recorder = deps.recorder(claim.lease);
  const failAll = async (ids: string[], message: string) => {
    for (const id of ids) await recorder.fail(id, message);
  };
  const parsedSearch = parseSearchSpec(claim.searchSpec);
  if (!parsedSearch.ok) {
    await failAll(claim.members.map((m) => m.id), `the search's stored spec is no longer valid: ${parsedSearch.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    return 'done';
  }
  const search = parsedSearch.search;
  const members: Member[] = [];
  for (const m of claim.members) {
    const parsed = parseSpec(m.spec);
    if (parsed.ok) members.push({ id: m.id, spec: parsed.spec });
    else await failAll([m.id], `the stored spec is no longer valid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
  if (members.length === 0) return 'done';
  const loaded = deps.loadData(members);
  if (!loaded.ok) {
    await failAll(members.map((m) => m.id), loaded.message);
    return 'done';
  }
  deps.log.info({ runs: members.map((m) => m.id), stage: claim.stage }, 'group started');
  return trainMembers({
    members,
    data: loaded.data,
    kernels: deps.kernels,
    recorder,
    log: deps.log,
    stopRequested: deps.stopRequested,
    objective: (m) => objectiveValue(search.objective.metric, m),
    pruning: search.pruning ? groupPruning(deps.storage, search, { searchId: claim.searchId, stage: claim.stage, groupId }, members[0]) : undefined,
    onProgress: deps.onProgress,
    pause: deps.pause,
  });
}

function groupPruning(storage: SearchStorage, search: SearchSpec, g: { searchId: string; stage: number; groupId: string }, first: Member): Pruning {
  return {
    steps: new Set(rungSteps(first.spec, search.pruning!.reduction)),
    reach: (step, values) => reachRung(storage, search, { searchId: g.searchId, stage: g.stage, step }, values),
    canWait: async (step) => {
      const others = await storage.stageGroupsTraining(g.searchId, g.stage, g.groupId, step);
      return others.unfinished === others.training;
    },
    park: (step) => storage.parkGroup(g.groupId, step),
  };
}
