// A search's rung ladder from its stored rung values, and why each pruned trial was pruned: the
// records from the store, the reading of them from src/search.
import { parseSpec, stepsPerEpoch } from '../experiment/experimentSpec.js';
import { prunedReasons, rungLadder, type PrunedReason, type Rung, type RungPlace } from '../search/rungLadder.js';
import { objectiveDirection, parseSearchSpec } from '../search/searchSpec.js';
import type { SearchRow } from '../store/searches.js';
import type { Store } from '../store/store.js';

export interface Ladder {
  pruning: { kind: 'successiveHalving'; reduction: number } | null;
  rungs: Rung[];
}

export async function searchLadder(store: Store, search: SearchRow): Promise<Ladder> {
  const parsed = parseSearchSpec(search.spec);
  if (!parsed.ok || !parsed.search.pruning) return { pruning: null, rungs: [] };
  const [rows, specs] = await Promise.all([store.searches.rungRows(search.id), store.searches.rungSpecs(search.id)]);
  const places = new Map<string, RungPlace>();
  for (const s of specs) {
    const spec = parseSpec(s.spec);
    if (!spec.ok) continue;
    const sched = spec.spec.training.schedule;
    places.set(`${s.stage}:${s.step}`, { cycle: sched.kind === 'cyclical' ? Math.round(s.step / (2 * sched.stepSize)) : null, epoch: Math.round((s.step / stepsPerEpoch(spec.spec)) * 100) / 100 });
  }
  const rungs = rungLadder(rows, {
    reduction: parsed.search.pruning.reduction,
    metric: parsed.search.objective.metric,
    direction: objectiveDirection(parsed.search),
    place: (stage, step) => places.get(`${stage}:${step}`) ?? { cycle: null, epoch: 0 },
  });
  return { pruning: parsed.search.pruning, rungs };
}

/** Why the pruned trials of these searches were pruned, by run id. */
export async function prunedReasonsOf(store: Store, searches: SearchRow[]): Promise<Map<string, PrunedReason>> {
  const out = new Map<string, PrunedReason>();
  for (const s of searches) {
    const ladder = await searchLadder(store, s);
    if (ladder.pruning) for (const [id, why] of prunedReasons(ladder.rungs, ladder.pruning.reduction)) out.set(id, why);
  }
  return out;
}
