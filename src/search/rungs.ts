// Recording values at a successive-halving rung and deciding the rung once it is complete: every
// trial of the stage that trains and is still alive has reached it. Called by trainers when they
// reach a rung and by the driver (a trial that stopped early can complete a rung by leaving it).
import { parseSpec } from '../experiment/experimentSpec.js';
import { objectiveDirection, type SearchSpec } from './searchSpec.js';
import type { RungEntryInput, RungEntryRecord, RungTx, SearchStorage, TrialRecord } from './searchStorage.js';
import { decideRung, rungSteps } from './successiveHalving.js';

export interface RungRef {
  searchId: string;
  stage: number;
  step: number;
}

/** Records the entries (again is harmless) and returns every decision at the rung, or null while it waits for trials. */
export function reachRung(storage: SearchStorage, search: SearchSpec, rung: RungRef, entries: RungEntryInput[]): Promise<Map<string, boolean> | null> {
  return storage.inRung(rung.searchId, rung.stage, rung.step, async (tx) => {
    const known = await tx.entries();
    const seen = new Set(known.map((e) => e.runId));
    const fresh = entries.filter((e) => !seen.has(e.runId));
    if (fresh.length) await tx.record(fresh);
    return settle(tx, search, rung.step, [...known, ...fresh.map((e) => ({ runId: e.runId, value: e.value, promoted: null }))]);
  });
}

/** Decides the rung if it has become complete; returns its decisions, or null while incomplete. */
export async function settleRung(tx: RungTx, search: SearchSpec, step: number): Promise<Map<string, boolean> | null> {
  return settle(tx, search, step, await tx.entries());
}

async function settle(tx: RungTx, search: SearchSpec, step: number, recorded: RungEntryRecord[]): Promise<Map<string, boolean> | null> {
  if (!search.pruning || recorded.length === 0) return null;
  const decided = recorded.filter((e) => e.promoted !== null);
  if (decided.length > 0) {
    // Decided already; an entry recorded late (a trial that stopped meanwhile) does not reopen it.
    const late = recorded.filter((e) => e.promoted === null);
    if (late.length) await tx.decide(new Map(late.map((e) => [e.runId, false])));
    return new Map(recorded.map((e) => [e.runId, e.promoted ?? false]));
  }
  const trials = await tx.trials();
  const seen = new Set(recorded.map((e) => e.runId));
  const reduction = search.pruning.reduction;
  if (trials.some((t) => !seen.has(t.id) && stillComing(t, step, reduction))) return null;
  const order = new Map(trials.map((t) => [t.id, t.trialIndex]));
  const { promoted } = decideRung(
    recorded.map((e) => ({ runId: e.runId, value: e.value, order: order.get(e.runId) ?? Number.MAX_SAFE_INTEGER })),
    reduction,
    objectiveDirection(search),
  );
  await tx.decide(promoted);
  return promoted;
}

/** A trial that trains, is not finished, and has this rung on its ladder will still record at it. */
function stillComing(t: TrialRecord, step: number, reduction: number): boolean {
  if (t.groupId === null || (t.status !== 'queued' && t.status !== 'running')) return false;
  const parsed = parseSpec(t.spec);
  return parsed.ok && rungSteps(parsed.spec, reduction).includes(step);
}
