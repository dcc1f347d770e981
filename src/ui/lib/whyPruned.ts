// One sentence per pruned trial saying why successive halving stopped it. The server sends it as
// `pruned.why`; when absent it is composed here from the same fields, in the same words.
import type { Direction, LeaderboardEntry, Pruned, Rung, RungEntry } from '../api/types';
import { metricWords, num } from './format';

const FRACTIONS: Record<number, string> = { 2: 'half', 3: 'third', 4: 'quarter', 5: 'fifth' };

function bestPart(keep: number, competitors: number): string {
  const r = competitors / keep;
  if (keep > 0 && Number.isInteger(r) && FRACTIONS[r]) return `the best ${FRACTIONS[r]}`;
  return `the best ${keep} of ${competitors}`;
}

export function composeWhy(p: Pruned, metric: string, direction: Direction): string {
  const where = `at rung ${p.rung} (${p.cycle !== null ? `cycle ${p.cycle}` : `step ${p.step}`})`;
  const what = metricWords(metric);
  if (p.value === null || !Number.isFinite(p.value)) return `${where} its ${what} was not a number (the trial diverged), so it could not compete`;
  const side = direction === 'maximize' ? 'below' : 'above';
  const beats = p.cutoff !== null && (direction === 'maximize' ? p.value >= p.cutoff : p.value <= p.cutoff);
  // Pruning decided on arrival (against the trials that had reached the rung before) can stop a
  // trial that the rung's final cut-off would have kept; say so rather than claim it fell short.
  if (beats) return `${where} it was pruned on arrival: its ${what} ${num(p.value, 3)} was not among ${bestPart(p.keep, p.competitors).replace(/ of \d+$/, '')} of the trials that had reached the rung before it (the rung's final cut-off was ${num(p.cutoff, 3)})`;
  return `${where} its ${what} ${num(p.value, 3)} was ${side} the cut-off ${num(p.cutoff, 3)} of ${bestPart(p.keep, p.competitors)}`;
}

/** The pruning facts of one rung entry, for when the leaderboard entry carries none. */
export function prunedAt(rung: Rung, e: RungEntry): Pruned {
  return { stage: rung.stage, rung: rung.rung, step: rung.step, cycle: rung.cycle, value: e.value, cutoff: rung.cutoff, keep: rung.keep, competitors: rung.competitors };
}

export function whyPruned(entry: LeaderboardEntry | undefined, rung: Rung, e: RungEntry): string {
  if (entry?.pruned?.why) return entry.pruned.why;
  return composeWhy(entry?.pruned ?? prunedAt(rung, e), rung.metric, rung.direction);
}
