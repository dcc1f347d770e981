// Sorting the search leaderboard in the browser (every trial is loaded): by any parameter or
// metric, either way, with trials lacking the value always last.
import type { LeaderboardEntry } from '../api/types';
import { categoryOf } from './searchAxes';

export type SortValue = (e: LeaderboardEntry) => number | string | null;

export function sortValue(key: string): SortValue {
  switch (key) {
    case 'objective':
      return (e) => e.objective;
    case 'trial':
      return (e) => e.stage * 1e6 + e.trialIndex;
    case 'status':
      return (e) => e.status;
    case 'validationAccuracy':
      return (e) => e.metrics.validation?.accuracy ?? null;
    case 'testAccuracy':
      return (e) => e.metrics.test?.accuracy ?? null;
    case 'validationLoss':
      return (e) => e.metrics.validation?.loss ?? null;
    default: {
      const param = key.replace(/^param:/, '');
      return (e) => {
        const v = e.params[param];
        if (v === undefined || v === null) return null;
        return typeof v === 'number' ? v : categoryOf(v);
      };
    }
  }
}

export function sortEntries(entries: LeaderboardEntry[], key: string, descending: boolean): LeaderboardEntry[] {
  const value = sortValue(key);
  const keyed = entries.map((e, i) => ({ e, i, v: value(e) }));
  keyed.sort((a, b) => {
    const an = a.v === null || (typeof a.v === 'number' && Number.isNaN(a.v));
    const bn = b.v === null || (typeof b.v === 'number' && Number.isNaN(b.v));
    if (an || bn) return an === bn ? a.i - b.i : an ? 1 : -1;
    const c = a.v! < b.v! ? -1 : a.v! > b.v! ? 1 : 0;
    return (descending ? -c : c) || a.i - b.i;
  });
  return keyed.map((k) => k.e);
}
