// The one search driver, shared by `trainyard search` (in-memory storage) and the service (the
// coordinator job over Postgres). It advances a search one idempotent step at a time, each step
// under the search's lock: settle twins and complete rungs, mark finished groups done, wake groups
// parked at a decided rung, release groups within budget.maxParallel, close a finished stage, plan
// the next (planStage is deterministic, so a retried step plans the same trials), or finish.
// Whoever runs it trains the released groups (src/search/groupTraining.ts) and calls it again
// when a group ends.
import { planStage, rank, stageCount, type StagePlan, type TrialOutcome } from './stagePlanner.js';
import { settleRung } from './rungs.js';
import { parseSearchSpec, type SearchSpec } from './searchSpec.js';
import type { GroupRecord, RungEntryRecord, SearchStatus, SearchStorage, SearchTx, StageRecord, TrialRecord, TrialStatus } from './searchStorage.js';
import { planStageTrials, TrialSpecError } from './trialPlan.js';

export interface StepNote {
  msg: string;
  [key: string]: unknown;
}

/** A group released to a trainer; `release` counts its releases (a queue job per release). */
export interface ReleasedGroup {
  id: string;
  release: number;
}

export interface AdvanceResult {
  /** Groups released to trainers, in release order. */
  released: ReleasedGroup[];
  /** What happened, step by step (for logs and progress output). */
  notes: StepNote[];
  finished: boolean;
}

interface Step {
  released: ReleasedGroup[];
  again: boolean;
  finished: boolean;
  note?: StepNote;
}

const ACTIVE: readonly TrialStatus[] = ['queued', 'running'];
const isActive = (t: TrialRecord) => ACTIVE.includes(t.status);

/**
 * Asks a search to stop: its queued trials are cancelled at once, running ones are flagged (their
 * trainers stop at the next check), what was recorded stays. The search is cancelled once nothing
 * runs any more (now, or at a later step).
 */
/** Returns the status the search had when the cancel was taken (a finished one is left as it is). */
export async function cancelSearch(storage: SearchStorage, searchId: string): Promise<SearchStatus | null> {
  return storage.inSearch(searchId, async (tx) => {
    const { status } = await tx.search();
    if (status === 'queued' || status === 'running') await cancelOnce(tx);
    return status;
  });
}

/** Consecutive failed steps after which a search ends failed instead of being retried again. */
export const MAX_STEP_FAILURES = 5;

/**
 * A step of the search failed (its transaction rolled back). Past MAX_STEP_FAILURES in a row the
 * search ends failed with the reason, so that one broken search cannot keep workers busy for ever.
 * Returns whether it ended.
 */
export async function stepFailed(storage: SearchStorage, searchId: string, err: Error): Promise<boolean> {
  const n = await storage.noteStepFailure(searchId);
  if (n < MAX_STEP_FAILURES) return false;
  await storage.inSearch(searchId, async (tx) => {
    const { status } = await tx.search();
    if (status === 'queued' || status === 'running') await fail(tx, `the search could not be advanced (${n} attempts in a row failed): ${err.message}`);
  });
  return true;
}

/** Whether the search is now cancelled (no trial runs any more). */
async function cancelOnce(tx: SearchTx): Promise<boolean> {
  const running = await tx.cancelTrials();
  if (running === 0) await tx.setStatus('cancelled');
  await refreshBest(tx);
  return running === 0;
}

export interface AdvanceOptions {
  /** A test's pause point: a stage is planned and written, its transaction not yet committed. */
  pause?: (phase: 'planning') => Promise<void>;
}

/** Steps until nothing more is due now; `workers` is how many trainers take groups (groups are cut for them). */
export async function advanceSearch(storage: SearchStorage, searchId: string, workers: number, o: AdvanceOptions = {}): Promise<AdvanceResult> {
  const out: AdvanceResult = { released: [], notes: [], finished: false };
  for (let round = 0; round < 100; round++) {
    const step = await storage.inSearch(searchId, async (tx) => {
      const done = await advanceOnce(tx, Math.max(1, workers), o);
      // The step got through: failures counted so far were not "in a row".
      if ((await tx.search()).stepFailures > 0) await tx.clearStepFailures();
      return done;
    });
    if (!step) return { ...out, finished: true };
    out.released.push(...step.released);
    if (step.note) out.notes.push(step.note);
    if (step.finished) return { ...out, finished: true };
    if (!step.again) return out;
  }
  return out;
}

async function advanceOnce(tx: SearchTx, workers: number, o: AdvanceOptions): Promise<Step> {
  const row = await tx.search();
  if (row.status === 'succeeded' || row.status === 'failed' || row.status === 'cancelled') return { released: [], again: false, finished: true };
  const parsed = parseSearchSpec(row.spec);
  if (!parsed.ok) return fail(tx, `the stored search spec is no longer valid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const search = parsed.search;
  if (row.cancelRequested) {
    const cancelled = await cancelOnce(tx);
    return { released: [], again: false, finished: cancelled, note: cancelled ? { msg: 'search cancelled' } : undefined };
  }
  if (row.status === 'queued') await tx.setStatus('running');
  await tx.settleTwins();

  const stages = await tx.stages();
  const last = stages.at(-1);
  if (last) {
    await settleRungs(tx, search, last.stage);
    const released = await releaseGroups(tx, search, last.stage);
    const trials = await tx.trials();
    if (trials.some((t) => t.stage === last.stage && isActive(t))) return { released, again: false, finished: false };
    if (!last.closed) await tx.closeStage(last.stage);
  }
  const { trials, best } = await refreshBest(tx);

  const next = nextStage(search, stages, trials);
  if (next >= stageCount(search)) {
    if (!best) return fail(tx, 'no trial succeeded');
    await tx.setStatus('succeeded');
    return { released: [], again: false, finished: true, note: { msg: 'search succeeded', bestRunId: best.id } };
  }
  const outcomes = Array.from({ length: next }, (_, stage) => trials.filter((t) => t.stage === stage).map(outcomeOf));
  let plan: StagePlan;
  try {
    plan = planStage(search, next, outcomes);
  } catch (err) {
    return fail(tx, `cannot plan stage ${next}: ${(err as Error).message}`);
  }
  let planned;
  try {
    planned = await planStageTrials(search, plan, trials, (hashes) => tx.reusableRuns(hashes), workers);
  } catch (err) {
    if (err instanceof TrialSpecError) return fail(tx, `stage ${next}: ${err.message}`);
    throw err;
  }
  await tx.insertStage(plan, lineageRuns(search, plan, outcomes));
  await tx.insertTrials(planned.groups, planned.trials);
  await o.pause?.('planning');
  await tx.settleTwins();
  // Trials copied from identical runs may already be the best.
  if (planned.reused) await refreshBest(tx);
  const released = await releaseGroups(tx, search, next);
  return {
    released,
    again: true,
    finished: false,
    note: { msg: 'stage planned', stage: next, kind: plan.kind, intervals: plan.intervals, trials: plan.trials.length, fresh: planned.fresh, reused: planned.reused, groups: planned.groups.length },
  };
}

/** The stage after the last planned one; once the budget is spent, no more search stages, but the final retrain still runs. */
function nextStage(search: SearchSpec, stages: StageRecord[], trials: TrialRecord[]): number {
  const planned = stages.length;
  const s = search.strategy;
  if (s.kind === 'coarseToFine' && planned > 0 && planned < s.stages && trials.length >= search.budget.maxTrials) return s.stages;
  return planned;
}

/** Rungs of the stage with values but no decision may have become complete (a trial stopped early). */
async function settleRungs(tx: SearchTx, search: SearchSpec, stage: number): Promise<void> {
  if (!search.pruning) return;
  for (const [step, entries] of await tx.rungs(stage)) {
    if (entries.some((e) => e.promoted === null)) await tx.inRung(stage, step, (r) => settleRung(r, search, step));
  }
}

/**
 * Groups whose members all finished are done; groups parked at a rung that is now decided wait
 * for release again; pending groups are released while the trials in flight stay within
 * maxParallel, at least one group at a time.
 */
async function releaseGroups(tx: SearchTx, search: SearchSpec, stage: number): Promise<ReleasedGroup[]> {
  const groups = await tx.groups();
  const trials = await tx.trials();
  const members = new Map<string, TrialRecord[]>();
  for (const t of trials) if (t.groupId) members.set(t.groupId, [...(members.get(t.groupId) ?? []), t]);
  const live = (g: GroupRecord) => (members.get(g.id) ?? []).filter(isActive);
  const done = groups.filter((g) => g.status !== 'done' && live(g).length === 0);
  if (done.length) await tx.setGroupStatus(done.map((g) => g.id), 'done');

  const rungs = search.pruning ? await tx.rungs(stage) : new Map<number, RungEntryRecord[]>();
  const decided = (step: number) => {
    const entries = rungs.get(step) ?? [];
    return entries.length > 0 && entries.every((e) => e.promoted !== null);
  };
  const woken = groups.filter((g) => g.status === 'waiting' && live(g).length > 0 && g.waitStep !== null && decided(g.waitStep));
  if (woken.length) await tx.setGroupStatus(woken.map((g) => g.id), 'pending');
  const wokenIds = new Set(woken.map((g) => g.id));

  let inFlight = groups.filter((g) => g.status === 'enqueued').reduce((n, g) => n + live(g).length, 0);
  const pending = groups
    .filter((g) => (g.status === 'pending' || wokenIds.has(g.id)) && live(g).length > 0)
    .sort((a, b) => a.stage - b.stage || a.position - b.position);
  const released: ReleasedGroup[] = [];
  for (const g of pending) {
    const size = live(g).length;
    if (inFlight > 0 && inFlight + size > search.budget.maxParallel) break;
    released.push({ id: g.id, release: g.releases + 1 });
    inFlight += size;
  }
  if (released.length) await tx.setGroupStatus(released.map((g) => g.id), 'enqueued');
  return released;
}

/**
 * The search's best trial: the final retrain once it succeeded (it is the answer), else the
 * succeeded trial with the best objective, earliest in plan order on ties.
 */
async function refreshBest(tx: SearchTx): Promise<{ trials: TrialRecord[]; best: TrialRecord | null }> {
  const row = await tx.search();
  const trials = await tx.trials();
  const stages = await tx.stages();
  const parsed = parseSearchSpec(row.spec);
  if (!parsed.ok) return { trials, best: null };
  const retrainStages = new Set(stages.filter((s) => s.kind === 'finalRetrain').map((s) => s.stage));
  const succeeded = trials.filter((t) => t.status === 'succeeded' && t.objective !== null && Number.isFinite(t.objective));
  const retrain = succeeded.find((t) => retrainStages.has(t.stage));
  const best = retrain ?? rank(parsed.search, succeeded)[0] ?? null;
  await tx.setBest(best?.id ?? null);
  return { trials, best };
}

async function fail(tx: SearchTx, message: string): Promise<Step> {
  await tx.cancelQueuedTrials();
  await tx.setStatus('failed', message);
  return { released: [], again: false, finished: true, note: { msg: 'search failed', error: message } };
}

type Outcome = TrialRecord & TrialOutcome;

/** Only trials that finished count for ranking; pruned ones were valued mid-training. */
function outcomeOf(t: TrialRecord): Outcome {
  return { ...t, objective: t.status === 'succeeded' ? t.objective : null };
}

/** The runs behind the plan's lineage: ranked exactly as planStage ranks them. */
function lineageRuns(search: SearchSpec, plan: StagePlan, outcomes: Outcome[][]): { bestRunId: string | null; secondRunId: string | null } {
  if (!plan.lineage) return { bestRunId: null, secondRunId: null };
  const ranked = rank(search, plan.kind === 'finalRetrain' ? outcomes.flat() : (outcomes[plan.lineage.parentStage] ?? []));
  return { bestRunId: ranked[0]?.id ?? null, secondRunId: plan.kind === 'search' ? (ranked[1]?.id ?? null) : null };
}
