// Folding live trial events into the search page's trial map. The stream and the initial
// leaderboard fetch overlap, so an older event may arrive after a newer snapshot: a finished
// trial is never taken back to queued or running.
import type { LeaderboardEntry, RunStatus } from '../api/types';

const FINISHED: RunStatus[] = ['succeeded', 'failed', 'cancelled', 'pruned'];

/** Upserts `incoming` by run id; returns whether the map changed. */
export function mergeTrial(trials: Map<string, LeaderboardEntry>, incoming: LeaderboardEntry): boolean {
  const old = trials.get(incoming.runId);
  if (old && FINISHED.includes(old.status) && !FINISHED.includes(incoming.status)) return false;
  trials.set(incoming.runId, old ? { ...old, ...incoming, rank: old.rank } : incoming);
  return true;
}
