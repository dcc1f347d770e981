// Drives a search, one idempotent step at a time: a `searches` queue job runs advanceSearch when
// a search is created, when one of its groups ends, and whenever the reconciler finds it idle.
// Each step reads the search from Postgres under a row lock and does what is due: release more
// groups within budget.maxParallel, close a finished stage, plan the next one (planStage is
// deterministic, so a retried step plans the same trials; the stage and its trials are written
// in the step's transaction), or finish the search. Groups are added to the queue after the
// transaction commits; if that fails the reconciler adds them.
import type { Logger } from '../src/runtime/logger.js';
import { parseSearchSpec, type SearchSpec } from '../src/search/searchSpec.js';
import { planStage, rank, stageCount, type StagePlan, type TrialOutcome } from '../src/search/stagePlanner.js';
import type { Db } from '../src/store/db.js';
import { cancelTrials, refreshBest, SEARCH_TERMINAL, type Tx } from '../src/store/searches.js';
import { activeTrials, createTrials, insertStage, releaseGroups, searchTrials, settleDuplicates, TrialSpecError, type TrialRow } from '../src/store/trials.js';

export interface CoordinatorDeps {
  db: Db;
  log: Logger;
  enqueueGroup(groupId: string, searchId: string): Promise<unknown>;
  /** Worker processes taking training jobs now: stages are cut into at least this many groups. */
  workerCount(): Promise<number>;
}

interface Step {
  /** Groups released in this step, to add to the queue. */
  enqueue: string[];
  /** Whether another step may have work (a stage was just planned). */
  again: boolean;
  note?: Record<string, unknown>;
}

const IDLE: Step = { enqueue: [], again: false };

export async function advanceSearch(deps: CoordinatorDeps, searchId: string): Promise<void> {
  const workers = Math.max(1, await deps.workerCount().catch(() => 1));
  const log = deps.log.child({ searchId });
  for (let round = 0; round < 100; round++) {
    const step = await deps.db.$transaction((tx) => advanceOnce(tx, searchId, workers), { timeout: 120_000, maxWait: 30_000 });
    if (step.note) log.info(step.note, String(step.note.msg ?? 'search advanced'));
    for (const g of step.enqueue) {
      await deps.enqueueGroup(g, searchId).catch((err) => log.warn({ groupId: g, err: (err as Error).message }, 'enqueue failed; the reconciler will enqueue the group'));
    }
    if (!step.again) return;
  }
}

async function advanceOnce(tx: Tx, searchId: string, workers: number): Promise<Step> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM searches WHERE id = ${searchId}::uuid FOR UPDATE`;
  if (locked.length === 0) return IDLE;
  const row = (await tx.search.findUnique({ where: { id: searchId } }))!;
  if (SEARCH_TERMINAL.includes(row.status)) return IDLE;
  const parsed = parseSearchSpec(row.spec);
  if (!parsed.ok) return failSearch(tx, searchId, `the stored search spec is no longer valid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const search = parsed.search;
  if (row.cancelRequestedAt) {
    await cancelTrials(tx, searchId);
    await refreshBest(tx, searchId);
    return IDLE;
  }
  if (row.status === 'queued') await tx.search.update({ where: { id: searchId }, data: { status: 'running', startedAt: new Date() } });
  await settleDuplicates(tx, searchId);

  const last = await tx.searchStage.findFirst({ where: { searchId }, orderBy: { stage: 'desc' } });
  if (last) {
    const released = await releaseGroups(tx, searchId, search.budget.maxParallel);
    if ((await activeTrials(tx, searchId, last.stage)) > 0) return { enqueue: released, again: false };
    if (!last.finishedAt) await tx.searchStage.update({ where: { searchId_stage: { searchId, stage: last.stage } }, data: { finishedAt: new Date() } });
  }
  await refreshBest(tx, searchId);

  const trials = await searchTrials(tx, searchId);
  const planned = last ? last.stage + 1 : 0;
  const outcomes = Array.from({ length: planned }, (_, stage) => trials.filter((t) => t.stage === stage).map(outcomeOf));
  let next = planned;
  // Budget spent: no further search stage, but the final retrain still runs.
  if (search.strategy.kind === 'coarseToFine' && next > 0 && next < search.strategy.stages && trials.length >= search.budget.maxTrials) next = search.strategy.stages;
  if (next >= stageCount(search)) return finishSearch(tx, searchId);

  let plan: StagePlan;
  try {
    plan = planStage(search, next, outcomes);
  } catch (err) {
    return failSearch(tx, searchId, `cannot plan stage ${next}: ${(err as Error).message}`);
  }
  await insertStage(tx, searchId, plan, lineageRuns(search, plan, outcomes));
  let created;
  try {
    created = await createTrials(tx, { id: searchId, projectId: row.projectId, search }, plan, workers);
  } catch (err) {
    if (err instanceof TrialSpecError) return failSearch(tx, searchId, `stage ${next}: ${err.message}`);
    throw err;
  }
  // Trials reused from identical runs may already be the best.
  if (created.reused) await refreshBest(tx, searchId);
  const enqueue = await releaseGroups(tx, searchId, search.budget.maxParallel);
  return { enqueue, again: true, note: { msg: 'stage planned', stage: next, kind: plan.kind, intervals: plan.intervals, ...created } };
}

type Outcome = TrialRow & TrialOutcome;

/** Only trials that finished count for ranking; pruned ones were valued mid-training. */
function outcomeOf(t: TrialRow): Outcome {
  return { ...t, objective: t.status === 'succeeded' ? t.objective : null };
}

/** The runs behind the plan's lineage: ranked exactly as planStage ranks them. */
function lineageRuns(search: SearchSpec, plan: StagePlan, outcomes: Outcome[][]): { bestRunId: string | null; secondRunId: string | null } {
  if (!plan.lineage) return { bestRunId: null, secondRunId: null };
  const ranked = rank(search, plan.kind === 'finalRetrain' ? outcomes.flat() : (outcomes[plan.lineage.parentStage] ?? []));
  return { bestRunId: ranked[0]?.id ?? null, secondRunId: plan.kind === 'search' ? (ranked[1]?.id ?? null) : null };
}

async function finishSearch(tx: Tx, searchId: string): Promise<Step> {
  const s = (await tx.search.findUnique({ where: { id: searchId }, select: { bestRunId: true } }))!;
  if (!s.bestRunId) return failSearch(tx, searchId, 'no trial succeeded');
  await tx.search.update({ where: { id: searchId }, data: { status: 'succeeded', finishedAt: new Date() } });
  return { ...IDLE, note: { msg: 'search succeeded', bestRunId: s.bestRunId } };
}

async function failSearch(tx: Tx, searchId: string, message: string): Promise<Step> {
  await tx.run.updateMany({ where: { searchId, status: 'queued' }, data: { status: 'cancelled', finishedAt: new Date() } });
  await tx.search.update({ where: { id: searchId }, data: { status: 'failed', error: message.slice(0, 4000), finishedAt: new Date() } });
  return { ...IDLE, note: { msg: 'search failed', error: message } };
}
