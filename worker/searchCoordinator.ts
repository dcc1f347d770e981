// A `searches` queue job: advances a search with the one search driver (src/search/searchDriver.ts)
// over Postgres, then adds the groups it released to the training queue. Advancing is idempotent,
// so the job runs whenever a search is created, a group ends, or the reconciler finds it idle.
// Groups are added after the step's transaction commits; if that fails the reconciler adds them.
import type { Logger } from '../src/runtime/logger.js';
import { advanceSearch, stepFailed, type AdvanceOptions, type ReleasedGroup } from '../src/search/searchDriver.js';
import type { SearchStorage } from '../src/search/searchStorage.js';

export interface CoordinatorDeps {
  storage: SearchStorage;
  log: Logger;
  enqueueGroup(group: ReleasedGroup, searchId: string): Promise<unknown>;
  /** Worker processes taking training jobs now: stages are cut into at least this many groups. */
  workerCount(): Promise<number>;
  pause?: AdvanceOptions['pause'];
}

export async function coordinateSearch(deps: CoordinatorDeps, searchId: string): Promise<void> {
  const workers = await deps.workerCount().catch(() => 1);
  const log = deps.log.child({ searchId });
  let r;
  try {
    r = await advanceSearch(deps.storage, searchId, workers, { pause: deps.pause });
  } catch (err) {
    const ended = await stepFailed(deps.storage, searchId, err as Error).catch(() => false);
    log.warn({ err: (err as Error).message, ended }, ended ? 'search failed: its steps keep failing' : 'search step failed; it will be retried');
    if (ended) return;
    throw err;
  }
  for (const note of r.notes) log.info(note, note.msg);
  for (const g of r.released) {
    await deps.enqueueGroup(g, searchId).catch((err) => log.warn({ groupId: g.id, err: (err as Error).message }, 'enqueue failed; the reconciler will enqueue the group'));
  }
}
