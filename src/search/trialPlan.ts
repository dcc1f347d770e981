// From a stage plan to trials: each parameter set as a full experiment spec with its hash,
// identical specs trained once (a twin in this search, or a succeeded run elsewhere in the
// project), and the rest cut into fused groups.
import { randomUUID } from 'node:crypto';
import { fusionKey } from '../core/training/trainingGroup.js';
import { parseSpec, type ExperimentSpec } from '../experiment/experimentSpec.js';
import { specHash } from '../experiment/specHash.js';
import { estimateWork } from '../experiment/workBounds.js';
import { fusedGroupSize } from './fusedGroupSize.js';
import { objectiveValue } from './objective.js';
import { applyParameters, type ParameterValues } from './parameters.js';
import type { SearchSpec } from './searchSpec.js';
import type { NewGroup, NewTrial, ReusableRun, TrialRecord } from './searchStorage.js';
import type { StagePlan } from './stagePlanner.js';

export type TrialSpecResult = { ok: true; spec: ExperimentSpec; hash: string } | { ok: false; message: string };

/**
 * The trial's spec. The data seed is pinned to the base spec's so that trials differing only in
 * `seed` keep the same batch order and can still train fused.
 */
export function trialSpec(search: SearchSpec, params: ParameterValues): TrialSpecResult {
  const raw = applyParameters(search.base, params);
  if (raw.dataSeed === undefined) raw.dataSeed = search.base.dataSeed ?? search.base.seed;
  const parsed = parseSpec(raw);
  if (!parsed.ok) return { ok: false, message: `parameters ${JSON.stringify(params)} give an invalid spec: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` };
  return { ok: true, spec: parsed.spec, hash: specHash(parsed.spec) };
}

/** What must be equal for trials to share one training pass and one loaded dataset. */
export function groupKey(spec: ExperimentSpec): string {
  // Synthetic data is generated from the spec's seed, so only same-seed synthetic trials share data.
  return `${fusionKey(spec)}|${spec.data.dataset === 'synthetic' ? spec.seed : ''}`;
}

export interface GroupingOptions {
  fuse: boolean;
  /** budget.maxParallel: no group is larger. */
  maxParallel: number;
  /** Trainers available: trials are spread so that each can take a group. */
  workers: number;
}

/**
 * Trials in fused groups, cut so that the stage's work splits evenly over the workers. Per group
 * key (trials of one key cost the same): as few groups as the largest useful size allows (the
 * network's fusedGroupSize, and maxParallel shared among the workers), at least one per worker,
 * and a whole number of waves (a multiple of the workers), sizes balanced. Across keys, the
 * costliest groups come first, so that workers taking groups in order end together.
 */
export function groupTrials<T extends { spec: ExperimentSpec }>(trials: T[], o: GroupingOptions): T[][] {
  const byKey = new Map<string, T[]>();
  for (const t of trials) {
    const k = groupKey(t.spec);
    byKey.set(k, [...(byKey.get(k) ?? []), t]);
  }
  const workers = Math.max(1, o.workers);
  const out: { members: T[]; work: number; first: number }[] = [];
  let first = 0;
  for (const list of byKey.values()) {
    const size = o.fuse ? Math.max(1, Math.min(fusedGroupSize(list[0].spec), Math.floor(o.maxParallel / workers))) : 1;
    let groups = Math.max(Math.ceil(list.length / size), Math.min(workers, list.length));
    while (groups % workers !== 0 && groups < list.length) groups++;
    const perTrial = trialWork(list[0].spec);
    let start = 0;
    for (let g = 0; g < groups; g++) {
      const n = Math.floor(list.length / groups) + (g < list.length % groups ? 1 : 0);
      out.push({ members: list.slice(start, start + n), work: perTrial * n, first: first++ });
      start += n;
    }
  }
  return out.sort((a, b) => b.work - a.work || a.first - b.first).map((g) => g.members);
}

/** A trial's arithmetic (training and evaluation), what its share of a group costs. */
function trialWork(spec: ExperimentSpec): number {
  const w = estimateWork(spec);
  return w.trainingMultiplyAdds + w.evaluationMultiplyAdds;
}

export class TrialSpecError extends Error {}

export interface StageTrials {
  groups: NewGroup[];
  trials: NewTrial[];
  fresh: number;
  reused: number;
}

/**
 * The stage's trials. A spec already in this search (any stage) waits for that trial and copies
 * its outcome; one that succeeded elsewhere in the project is copied at once; the rest train, in
 * fused groups. Throws TrialSpecError when parameters make an invalid spec.
 */
export async function planStageTrials(
  search: SearchSpec,
  plan: StagePlan,
  existing: TrialRecord[],
  reusableRuns: (hashes: string[]) => Promise<ReusableRun[]>,
  workers: number,
): Promise<StageTrials> {
  const specs = plan.trials.map((params) => {
    const r = trialSpec(search, params);
    if (!r.ok) throw new TrialSpecError(r.message);
    return { params, spec: r.spec, hash: r.hash };
  });
  const inSearch = new Map(existing.filter((t) => t.reusedFromRunId === null).map((t) => [t.specHash, t.id]));
  const unseen = [...new Set(specs.map((s) => s.hash))].filter((h) => !inSearch.has(h));
  const elsewhere = new Map<string, ReusableRun>();
  for (const r of unseen.length ? await reusableRuns(unseen) : []) if (!elsewhere.has(r.specHash)) elsewhere.set(r.specHash, r);

  const trials: NewTrial[] = [];
  const fresh: { trial: NewTrial; spec: ExperimentSpec }[] = [];
  let reused = 0;
  specs.forEach((s, i) => {
    const trial: NewTrial = { id: randomUUID(), stage: plan.stage, trialIndex: i, name: `${search.name ?? 'search'} s${plan.stage} t${i}`, spec: s.spec, specHash: s.hash, params: s.params, groupId: null, twinId: null, reuse: null };
    trials.push(trial);
    const twin = inSearch.get(s.hash);
    const done = elsewhere.get(s.hash);
    if (twin) trial.twinId = twin;
    else if (done) trial.reuse = { runId: done.runId, objective: reusedObjective(search, done) };
    else {
      inSearch.set(s.hash, trial.id);
      fresh.push({ trial, spec: s.spec });
      return;
    }
    reused++;
  });
  const groups = groupTrials(fresh, { fuse: search.fuse, maxParallel: search.budget.maxParallel, workers }).map((members, position) => {
    const id = randomUUID();
    for (const m of members) m.trial.groupId = id;
    return { id, stage: plan.stage, position, size: members.length };
  });
  return { groups, trials, fresh: fresh.length, reused };
}

function reusedObjective(search: SearchSpec, r: ReusableRun): number | null {
  if (!r.train || !r.validation) return null;
  const v = objectiveValue(search.objective.metric, { train: r.train, validation: r.validation });
  return Number.isFinite(v) ? v : null;
}
