// Runs a whole search in this process (the `trainyard search` command): stage by stage, identical
// trials trained once, compatible trials trained fused, optional successive-halving pruning.
import type { DatasetSplits } from '../core/data/dataset.js';
import type { Kernels } from '../core/kernels/kernels.js';
import type { TrainingResult } from '../core/training/metrics.js';
import { createTrainingGroup, fusionKey, type TrainingGroup } from '../core/training/trainingGroup.js';
import { parseSpec, type ExperimentSpec } from '../experiment/experimentSpec.js';
import { objectiveValue } from './objective.js';
import { applyParameters, type ParameterValues } from './parameters.js';
import { objectiveDirection, type SearchSpec } from './searchSpec.js';
import { specHash } from './specHash.js';
import { planStage, rank, stageCount, type StagePlan, type TrialOutcome } from './stagePlanner.js';
import { isPromotable, rungSteps } from './successiveHalving.js';
import { fusedGroupSize } from './fusedGroupSize.js';

export type TrialStatus = 'succeeded' | 'pruned' | 'reused';

export interface SearchTrial {
  id: number;
  stage: number;
  params: ParameterValues;
  spec: ExperimentSpec;
  hash: string;
  status: TrialStatus;
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
}

export interface LocalSearchOptions {
  loadData: (spec: ExperimentSpec) => DatasetSplits;
  kernels: Kernels;
  onEvent?: (e: SearchEvent) => void;
  /** Largest fused group; default decided from the network (fusedGroupSize). */
  maxGroup?: number;
}

export function runSearchLocally(search: SearchSpec, opts: LocalSearchOptions): SearchOutcome {
  const trials: SearchTrial[] = [];
  const stages: StagePlan[] = [];
  const outcomes: TrialOutcome[][] = [];
  const byHash = new Map<string, SearchTrial>();
  const emit = opts.onEvent ?? (() => {});
  const direction = objectiveDirection(search);
  for (let stage = 0; stage < stageCount(search); stage++) {
    const plan = planStage(search, stage, outcomes);
    stages.push(plan);
    emit({ kind: 'stage', plan });
    const fresh: SearchTrial[] = [];
    for (const params of plan.trials) {
      const parsed = parseSpec(applyParameters(search.base, params));
      if (!parsed.ok) throw new Error(`trial parameters ${JSON.stringify(params)} give an invalid spec: ${JSON.stringify(parsed.problems)}`);
      const hash = specHash(parsed.spec);
      const trial: SearchTrial = { id: trials.length, stage, params, spec: parsed.spec, hash, status: 'succeeded', objective: null, result: null, reusedFrom: null, prunedAtStep: null };
      trials.push(trial);
      const twin = byHash.get(hash);
      if (twin) {
        trial.reusedFrom = twin.id;
        continue;
      }
      byHash.set(hash, trial);
      fresh.push(trial);
    }
    const competing = new Map<number, number[]>();
    for (const group of groupTrials(fresh, opts.maxGroup)) trainGroup(group, search, opts, competing, direction, emit);
    for (const t of trials.filter((x) => x.stage === stage && x.reusedFrom !== null)) {
      const twin = trials[t.reusedFrom!];
      Object.assign(t, { status: 'reused', objective: twin.objective, result: twin.result, prunedAtStep: twin.prunedAtStep });
      emit({ kind: 'trial', trial: t });
    }
    outcomes.push(trials.filter((t) => t.stage === stage).map((t) => ({ params: t.params, objective: t.status === 'pruned' ? null : t.objective })));
  }
  // A final retrain, when present, is the answer: the winner trained with the bigger budget.
  const retrain = trials.find((t) => stages[t.stage].kind === 'finalRetrain');
  return { stages, trials, best: retrain ?? rank(search, trials.filter((t) => t.status === 'succeeded'))[0] ?? null };
}

/** Trials that can share a fused pass, in chunks no larger than the chosen group size. */
export function groupTrials(trials: SearchTrial[], maxGroup?: number): SearchTrial[][] {
  const byKey = new Map<string, SearchTrial[]>();
  for (const t of trials) {
    const k = fusionKey(t.spec);
    byKey.set(k, [...(byKey.get(k) ?? []), t]);
  }
  const out: SearchTrial[][] = [];
  for (const list of byKey.values()) {
    const size = maxGroup ?? fusedGroupSize(list[0].spec);
    for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  }
  return out;
}

function trainGroup(
  initial: SearchTrial[],
  search: SearchSpec,
  opts: LocalSearchOptions,
  competing: Map<number, number[]>,
  direction: 'maximize' | 'minimize',
  emit: (e: SearchEvent) => void,
): void {
  const data = opts.loadData(initial[0].spec);
  const rungs = new Set(search.pruning ? rungSteps(initial[0].spec, search.pruning.reduction) : []);
  let members = initial;
  let group: TrainingGroup = createTrainingGroup({ specs: members.map((t) => t.spec), data, kernels: opts.kernels });
  emit({ kind: 'group', stage: members[0].stage, trials: members.map((t) => t.id) });
  let gen = group.run();
  for (;;) {
    const r = gen.next();
    if (r.done) {
      r.value.forEach((res, i) => {
        const t = members[i];
        Object.assign(t, { status: 'succeeded', result: res, objective: objectiveValue(search.objective.metric, res) });
        emit({ kind: 'trial', trial: t });
      });
      return;
    }
    const e = r.value;
    if (e.kind !== 'step') continue;
    if (e.step % Math.max(1, Math.floor(group.stepsPerEpoch / 4)) === 0) emit({ kind: 'progress', stage: members[0].stage, trials: members.map((t) => t.id), step: e.step, totalSteps: group.totalSteps });
    if (!rungs.has(e.step) || !search.pruning) continue;
    const values = group.validationMetrics().map((v, i) => {
      const h = group.history(i);
      const last = h.points[h.points.length - 1];
      return objectiveValue(search.objective.metric, { validation: v, train: last ? last.train : v });
    });
    const atRung = [...(competing.get(e.step) ?? []), ...values];
    competing.set(e.step, atRung);
    const keep = values.map((v) => isPromotable(atRung, v, search.pruning!.reduction, direction));
    if (keep.every(Boolean)) continue;
    members.forEach((t, i) => {
      if (keep[i]) return;
      const h = group.history(i);
      const last = h.epochs[h.epochs.length - 1];
      Object.assign(t, {
        status: 'pruned',
        objective: values[i],
        prunedAtStep: e.step,
        result: { steps: e.step, epochs: h.epochs, points: h.points, train: last?.train, validation: last?.validation, test: { loss: NaN, cost: NaN, accuracy: NaN }, trainSeconds: 0 },
      });
      emit({ kind: 'trial', trial: t });
    });
    const survivors = members.map((t, i) => ({ t, i })).filter((x) => keep[x.i]);
    if (survivors.length === 0) return;
    // Survivors continue in a smaller fused group, resumed exactly from their checkpoints.
    const checkpoints = survivors.map((x) => group.checkpoint(x.i));
    members = survivors.map((x) => x.t);
    group = createTrainingGroup({ specs: members.map((t) => t.spec), data, kernels: opts.kernels, resumeFrom: checkpoints });
    gen = group.run();
  }
}
