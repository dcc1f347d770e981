// The successive-halving rung ladder of a search: for each rung, the cut-off, where every trial
// stood, and for each pruned trial one sentence saying why ("at rung 2 (cycle 2) its validation
// accuracy 0.483 was below the cut-off 0.501 of the best third").
import type { ObjectiveMetric } from './searchSpec.js';
import type { RungRow } from './searchStorage.js';

/** Where a rung step sits on a trial's schedule: its learning-rate cycle (cyclical schedules) and epoch. */
export interface RungPlace {
  cycle: number | null;
  epoch: number;
}

export interface LadderEntry {
  runId: string;
  trialIndex: number;
  params: Record<string, unknown>;
  value: number | null;
  /** 1-based rank at the rung (NaN values last). */
  rank: number;
  promoted: boolean | null;
}

export interface Rung {
  stage: number;
  /** 1-based, in step order within the stage. */
  rung: number;
  step: number;
  epoch: number;
  cycle: number | null;
  metric: ObjectiveMetric;
  direction: 'maximize' | 'minimize';
  /** How many continue: max(1, floor(competitors / reduction)). */
  keep: number;
  competitors: number;
  /** The worst value that continued; null while undecided or when none did. */
  cutoff: number | null;
  decided: boolean;
  entries: LadderEntry[];
}

export interface PrunedReason {
  stage: number;
  rung: number;
  step: number;
  cycle: number | null;
  value: number | null;
  cutoff: number | null;
  keep: number;
  competitors: number;
  why: string;
}

const FRACTIONS: Record<number, string> = { 2: 'half', 3: 'third', 4: 'quarter', 5: 'fifth', 10: 'tenth' };
const METRIC_WORDS: Record<ObjectiveMetric, string> = {
  validationAccuracy: 'validation accuracy',
  validationLoss: 'validation loss',
  validationCost: 'validation cost',
  trainAccuracy: 'training accuracy',
  trainLoss: 'training loss',
};

const num = (v: number) => (Math.abs(v) >= 0.001 && Math.abs(v) < 1000 ? v.toFixed(3) : v.toExponential(3));

export function rungLadder(rows: RungRow[], o: { reduction: number; metric: ObjectiveMetric; direction: 'maximize' | 'minimize'; place: (stage: number, step: number) => RungPlace }): Rung[] {
  const byRung = new Map<string, RungRow[]>();
  for (const r of rows) byRung.set(`${r.stage}:${r.step}`, [...(byRung.get(`${r.stage}:${r.step}`) ?? []), r]);
  const steps = new Map<number, number[]>();
  for (const r of rows) steps.set(r.stage, [...new Set([...(steps.get(r.stage) ?? []), r.step])].sort((a, b) => a - b));
  const sign = o.direction === 'maximize' ? -1 : 1;
  const out: Rung[] = [];
  for (const [key, list] of [...byRung].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))) {
    const [stage, step] = key.split(':').map(Number);
    const ranked = [...list].sort((a, b) => {
      const fa = Number.isFinite(a.value);
      const fb = Number.isFinite(b.value);
      if (fa !== fb) return fa ? -1 : 1;
      return (fa ? sign * (a.value - b.value) : 0) || a.trialIndex - b.trialIndex;
    });
    const decided = list.every((e) => e.promoted !== null);
    const kept = ranked.filter((e) => e.promoted === true);
    const place = o.place(stage, step);
    out.push({
      stage,
      rung: steps.get(stage)!.indexOf(step) + 1,
      step,
      epoch: place.epoch,
      cycle: place.cycle,
      metric: o.metric,
      direction: o.direction,
      keep: Math.max(1, Math.floor(list.length / o.reduction)),
      competitors: list.length,
      cutoff: decided && kept.length ? kept[kept.length - 1].value : null,
      decided,
      entries: ranked.map((e, i) => ({ runId: e.runId, trialIndex: e.trialIndex, params: e.params, value: Number.isFinite(e.value) ? e.value : null, rank: i + 1, promoted: e.promoted })),
    });
  }
  return out.sort((a, b) => a.stage - b.stage || a.step - b.step);
}

/** Why each pruned trial was pruned, by run id: the rung where it stopped and one sentence. */
export function prunedReasons(ladder: Rung[], reduction: number): Map<string, PrunedReason> {
  const out = new Map<string, PrunedReason>();
  const share = FRACTIONS[reduction] ? `the best ${FRACTIONS[reduction]}` : `the best 1/${reduction}`;
  for (const r of ladder) {
    if (!r.decided) continue;
    for (const e of r.entries) {
      if (e.promoted !== false) continue;
      const where = `at rung ${r.rung} (${r.cycle !== null ? `cycle ${r.cycle}` : `epoch ${r.epoch}`})`;
      const metric = METRIC_WORDS[r.metric];
      const why =
        e.value === null
          ? `${where} its ${metric} was not a number (the trial diverged), so it could not be among ${share}`
          : r.cutoff === null
            ? `${where} no trial had a finite ${metric}`
            : e.value === r.cutoff
              ? `${where} its ${metric} ${num(e.value)} tied the cut-off of ${share}, and ties go to the earlier trial (${r.keep} of ${r.competitors} went on; it ranked ${e.rank})`
              : `${where} its ${metric} ${num(e.value)} was ${r.direction === 'maximize' ? 'below' : 'above'} the cut-off ${num(r.cutoff)} of ${share} (${r.keep} of ${r.competitors} went on; it ranked ${e.rank})`;
      out.set(e.runId, { stage: r.stage, rung: r.rung, step: r.step, cycle: r.cycle, value: e.value, cutoff: r.cutoff, keep: r.keep, competitors: r.competitors, why });
    }
  }
  return out;
}
