// Successive-halving pruning. Rungs sit at the end of learning-rate cycles for cyclical schedules
// (mid-cycle comparisons favour whichever trial happens to be at a low learning rate), else at
// epochs E / r^i. Synchronous: a rung is decided once every live trial of the stage has reached
// it, so the outcome depends neither on how trials were grouped nor on which worker ran first.
import { stepsPerEpoch, type ExperimentSpec } from '../experiment/experimentSpec.js';

/** Update steps after which trials are compared, ascending, excluding the end of training. */
export function rungSteps(spec: ExperimentSpec, reduction: number): number[] {
  const s = spec.training.schedule;
  if (s.kind === 'cyclical') {
    const out: number[] = [];
    for (let c = 1; c < s.cycles; c++) out.push(2 * s.stepSize * c);
    return out;
  }
  const spe = stepsPerEpoch(spec);
  const epochs = new Set<number>();
  for (let e = s.epochs / reduction; e >= 1; e /= reduction) epochs.add(Math.floor(e));
  return [...epochs].filter((e) => e < s.epochs).sort((a, b) => a - b).map((e) => e * spe);
}

export interface RungCompetitor {
  runId: string;
  value: number;
  /** Plan order (stage, trial index): breaks ties so that the decision is deterministic. */
  order: number;
}

export interface RungDecision {
  promoted: Map<string, boolean>;
  /** How many continue: the best max(1, floor(n / reduction)) of the n competitors. */
  keep: number;
  /** The worst value that continues; null when no value is finite. */
  cutoff: number | null;
}

/** The best `keep` finite values continue, ties in plan order; a diverged (NaN) trial never does. */
export function decideRung(competitors: RungCompetitor[], reduction: number, direction: 'maximize' | 'minimize'): RungDecision {
  const sign = direction === 'maximize' ? -1 : 1;
  const ranked = competitors.filter((c) => Number.isFinite(c.value)).sort((a, b) => sign * (a.value - b.value) || a.order - b.order);
  const keep = Math.max(1, Math.floor(competitors.length / reduction));
  const kept = ranked.slice(0, keep);
  const promoted = new Map(competitors.map((c) => [c.runId, false]));
  for (const c of kept) promoted.set(c.runId, true);
  return { promoted, keep, cutoff: kept.length ? kept[kept.length - 1].value : null };
}
