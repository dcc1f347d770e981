// Which trials a search stage runs: the grid, n random points, or the next coarse-to-fine stage
// with its intervals refined from the two best trials of the previous stage.
import { createRng } from '../core/random.js';
import type { ParameterValues } from './parameters.js';
import { cartesian, gridAxis, intervalOf, linspace, listAxis, randomPoint, toUnits, type Axis, type Interval } from './sampling.js';
import { objectiveDirection, type SearchSpec } from './searchSpec.js';

export interface TrialOutcome {
  params: ParameterValues;
  /** The objective's value; null when the trial failed or was pruned before reporting. */
  objective: number | null;
}

export interface StagePlan {
  /** 0-based stage number; the final retrain, if any, is the stage after the last search stage. */
  stage: number;
  kind: 'search' | 'finalRetrain';
  /** Continuous intervals searched in this stage (log10 units for log parameters). */
  intervals: Record<string, Interval>;
  /** Parameters fixed for this stage (discrete ones after the first coarse-to-fine stage, overrides of a retrain). */
  fixed: ParameterValues;
  trials: ParameterValues[];
  /** Why this stage's intervals are what they are: the two trials they came from. */
  lineage: { parentStage: number; best: ParameterValues; second: ParameterValues | null } | null;
}

/** The columns a stored search carries for lists and the API, read off its spec. */
export function searchColumns(s: SearchSpec) {
  return { strategy: s.strategy.kind, dataset: s.base.data.dataset, objectiveMetric: s.objective.metric, direction: objectiveDirection(s), stagesTotal: stageCount(s) };
}

/** Number of stages (including a final retrain) the strategy runs. */
export function stageCount(s: SearchSpec): number {
  if (s.strategy.kind !== 'coarseToFine') return 1;
  return s.strategy.stages + (s.strategy.finalRetrain ? 1 : 0);
}

/** Plans stage `stage` given the outcomes of the earlier stages (outcomes[i] for stage i). */
export function planStage(s: SearchSpec, stage: number, outcomes: TrialOutcome[][]): StagePlan {
  const space = Object.entries(s.space);
  const cap = s.budget.maxTrials;
  const strategy = s.strategy;
  if (strategy.kind === 'grid') {
    return { stage, kind: 'search', intervals: {}, fixed: {}, trials: cartesian(space.map(([n, d]) => [n, gridAxis(d)]), cap), lineage: null };
  }
  if (strategy.kind === 'random') {
    const rng = createRng(strategy.seed, 1000);
    const trials = Array.from({ length: Math.min(strategy.trials, cap) }, () => randomPoint(space, new Map(), rng));
    return { stage, kind: 'search', intervals: {}, fixed: {}, trials, lineage: null };
  }
  const used = outcomes.reduce((n, o) => n + o.length, 0);
  if (stage >= strategy.stages) {
    const winner = rank(s, outcomes.flat())[0];
    if (!winner) throw new Error('no trial of the search produced an objective value; nothing to retrain');
    const fixed = { ...winner.params, ...(strategy.finalRetrain?.overrides ?? {}) };
    return { stage, kind: 'finalRetrain', intervals: {}, fixed, trials: [fixed], lineage: { parentStage: stage - 1, best: winner.params, second: null } };
  }
  const n = Math.max(0, Math.min(strategy.trials, cap - used));
  const base = new Map<string, Interval>();
  for (const [name, dim] of space) {
    const iv = intervalOf(dim);
    if (iv) base.set(name, iv);
  }
  let intervals = base;
  let fixed: ParameterValues = {};
  let lineage: StagePlan['lineage'] = null;
  if (stage > 0) {
    const prevPlan = planStage(s, stage - 1, outcomes);
    const ranked = rank(s, outcomes[stage - 1] ?? []);
    if (ranked.length === 0) throw new Error(`stage ${stage} has no finished trial to refine from`);
    const [best, second] = ranked;
    intervals = new Map();
    for (const [name, iv] of Object.entries(prevPlan.intervals)) {
      intervals.set(name, refineInterval(iv, best.params[name] as number, second ? (second.params[name] as number) : null, Math.max(1, prevPlan.trials.length)));
    }
    // Discrete parameters stop varying after the first stage: the best trial's values are kept.
    fixed = { ...prevPlan.fixed };
    for (const [name, dim] of space) if (!intervalOf(dim)) fixed[name] = best.params[name];
    lineage = { parentStage: stage - 1, best: best.params, second: second?.params ?? null };
  }
  const varying = space.filter(([name]) => !(name in fixed));
  let trials: ParameterValues[];
  if (strategy.sampling === 'grid') {
    const perAxis = Math.max(1, Math.floor(Math.pow(n, 1 / Math.max(1, varying.length)) + 1e-9));
    trials = cartesian(varying.map(([name, dim]): [string, Axis] => [name, intervals.get(name) ? listAxis(linspace(intervals.get(name)!, perAxis)) : gridAxis(dim)]), n);
  } else {
    const rng = createRng(strategy.seed, 1000 + stage);
    trials = Array.from({ length: n }, () => randomPoint(varying, intervals, rng));
  }
  trials = trials.map((t) => ({ ...fixed, ...t }));
  return { stage, kind: 'search', intervals: Object.fromEntries(intervals), fixed, trials, lineage };
}

/**
 * The reports' refinement: [best - d, best + d] with d the distance between the two best values,
 * in log10 units for log parameters. With one trial, or two equal values, d is one sampling step.
 */
export function refineInterval(iv: Interval, best: number, second: number | null, samples: number): Interval {
  const b = toUnits(iv, best);
  let d = second === null ? 0 : Math.abs(b - toUnits(iv, second));
  if (!(d > 0)) d = (iv.hi - iv.lo) / samples;
  return { lo: b - d, hi: b + d, log: iv.log };
}

/** Outcomes with a value, best first (ties keep their order). */
export function rank<T extends TrialOutcome>(s: SearchSpec, outcomes: T[]): T[] {
  const sign = objectiveDirection(s) === 'maximize' ? -1 : 1;
  return outcomes.filter((o) => o.objective !== null && Number.isFinite(o.objective)).sort((a, b) => sign * (a.objective! - b.objective!));
}
