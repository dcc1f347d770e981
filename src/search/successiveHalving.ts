// Successive-halving pruning. Rungs sit at the end of learning-rate cycles for cyclical schedules
// (mid-cycle comparisons favour whichever trial happens to be at a low learning rate), else at
// epochs E / r^i. The promotion rule is Optuna's asynchronous one, so trials never wait for peers.
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

/**
 * Whether a trial whose objective at a rung is `value` continues, given the values of every trial
 * that has reached that rung (including this one): it must rank within the best
 * max(1, floor(n / reduction)).
 */
export function isPromotable(competing: number[], value: number, reduction: number, direction: 'maximize' | 'minimize'): boolean {
  if (!Number.isFinite(value)) return false;
  const sorted = competing.filter(Number.isFinite).sort((a, b) => (direction === 'maximize' ? b - a : a - b));
  const keep = Math.max(1, Math.floor(sorted.length / reduction));
  const threshold = sorted[Math.min(keep, sorted.length) - 1];
  return direction === 'maximize' ? value >= threshold : value <= threshold;
}
