// A fused group of search trials: claims the group's unfinished members, trains them together
// (trainMembers) with the search's objective and successive-halving rungs, then stores the
// search's best. The worker process then wakes the search's coordinator.
import type { Logger } from '../src/runtime/logger.js';
import { objectiveValue } from '../src/search/objective.js';
import { objectiveDirection, parseSearchSpec } from '../src/search/searchSpec.js';
import { rungSteps } from '../src/search/successiveHalving.js';
import { parseSpec } from '../src/experiment/experimentSpec.js';
import type { Db } from '../src/store/db.js';
import { decideRung } from '../src/store/rungs.js';
import { failRun, type Pool } from '../src/store/runWriter.js';
import { refreshBest } from '../src/store/searches.js';
import { claimGroup, markGroupDone } from '../src/store/trials.js';
import { EXIT } from './protocol.js';
import { trainMembers, type Member, type Pruning } from './trainMembers.js';

export async function trainGroupJob(db: Db, pool: Pool, groupId: string, log: Logger, stopRequested: () => boolean): Promise<number> {
  const claim = await db.$transaction((tx) => claimGroup(tx, groupId), { timeout: 30_000 });
  if (!claim || claim.members.length === 0) {
    if (claim) await finishGroup(db, groupId, claim.searchId);
    log.info('nothing to train');
    return EXIT.done;
  }
  const searchRow = await db.search.findUnique({ where: { id: claim.searchId } });
  const parsedSearch = parseSearchSpec(searchRow?.spec);
  if (!parsedSearch.ok) {
    for (const m of claim.members) await failRun(db, m.id, `the search's stored spec is no longer valid: ${parsedSearch.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    await finishGroup(db, groupId, claim.searchId);
    return EXIT.done;
  }
  const search = parsedSearch.search;
  const members: Member[] = [];
  for (const run of claim.members) {
    const parsed = parseSpec(run.spec);
    if (parsed.ok) members.push({ id: run.id, spec: parsed.spec });
    else await failRun(db, run.id, `the stored spec is no longer valid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
  if (members.length === 0) {
    await finishGroup(db, groupId, claim.searchId);
    return EXIT.done;
  }
  log.info({ runs: members.map((m) => m.id), stage: claim.stage }, 'group started');
  let pruning: Pruning | undefined;
  if (search.pruning) {
    const reduction = search.pruning.reduction;
    const direction = objectiveDirection(search);
    pruning = {
      steps: new Set(rungSteps(members[0].spec, reduction)),
      decide: (step, entries) => decideRung(pool, { searchId: claim.searchId, stage: claim.stage, step, reduction, direction }, entries),
    };
  }
  const code = await trainMembers({
    db,
    pool,
    log,
    members,
    stopRequested,
    objective: (m) => objectiveValue(search.objective.metric, m),
    pruning,
  });
  if (code === EXIT.done) await finishGroup(db, groupId, claim.searchId);
  return code;
}

async function finishGroup(db: Db, groupId: string, searchId: string): Promise<void> {
  await markGroupDone(db, groupId);
  await refreshBest(db, searchId);
}
