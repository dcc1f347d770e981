// Search trials in the store: a stage's trials created from its plan (identical specs reused, the
// rest cut into fused groups), duplicates settled from the run they reuse, groups released to
// the queue within budget.maxParallel, and a group's members claimed by its worker.
import { randomUUID } from 'node:crypto';
import { objectiveValue } from '../search/objective.js';
import type { ParameterValues } from '../search/parameters.js';
import type { SearchSpec } from '../search/searchSpec.js';
import type { StagePlan } from '../search/stagePlanner.js';
import { groupTrials, trialSpec } from '../search/trialPlan.js';
import type { ExperimentSpec } from '../experiment/experimentSpec.js';
import { Prisma } from './db.js';
import type { RunStatus } from './generated/enums.js';
import { specColumns, TERMINAL, type RunRow } from './runs.js';
import type { Tx } from './searches.js';

export interface TrialRow {
  id: string;
  stage: number;
  trialIndex: number;
  params: ParameterValues;
  status: RunStatus;
  objective: number | null;
}

/** Every trial of the search in plan order (stage, then index). */
export async function searchTrials(tx: Tx, searchId: string): Promise<TrialRow[]> {
  const rows = await tx.run.findMany({
    where: { searchId },
    select: { id: true, stage: true, trialIndex: true, params: true, status: true, objective: true },
    orderBy: [{ stage: 'asc' }, { trialIndex: 'asc' }],
  });
  return rows.map((r) => ({ id: r.id, stage: r.stage!, trialIndex: r.trialIndex!, params: (r.params ?? {}) as ParameterValues, status: r.status, objective: r.objective }));
}

export interface StageLineageIds {
  bestRunId: string | null;
  secondRunId: string | null;
}

export async function insertStage(tx: Tx, searchId: string, plan: StagePlan, lineage: StageLineageIds): Promise<void> {
  const json = (v: unknown) => v as Prisma.InputJsonValue;
  await tx.searchStage.create({
    data: {
      searchId,
      stage: plan.stage,
      kind: plan.kind,
      intervals: json(plan.intervals),
      fixed: json(plan.fixed),
      trials: plan.trials.length,
      parentStage: plan.lineage?.parentStage ?? null,
      lineageBestRunId: lineage.bestRunId,
      lineageSecondRunId: lineage.secondRunId,
      lineageBestParams: plan.lineage ? json(plan.lineage.best) : Prisma.DbNull,
      lineageSecondParams: plan.lineage?.second ? json(plan.lineage.second) : Prisma.DbNull,
    },
  });
}

/** Metric columns copied from the run a trial reuses. */
const RESULT_COLUMNS = [
  'train_loss',
  'train_cost',
  'train_accuracy',
  'validation_loss',
  'validation_cost',
  'validation_accuracy',
  'test_loss',
  'test_cost',
  'test_accuracy',
] as const;

type Source = Pick<RunRow, 'id' | 'status' | 'trainLoss' | 'trainCost' | 'trainAccuracy' | 'validationLoss' | 'validationCost' | 'validationAccuracy' | 'testLoss' | 'testCost' | 'testAccuracy' | 'step' | 'epoch' | 'backend' | 'prunedAtStep'>;

function objectiveOf(search: SearchSpec, r: Source): number | null {
  if (r.trainAccuracy === null || r.validationAccuracy === null) return null;
  const v = objectiveValue(search.objective.metric, {
    train: { loss: r.trainLoss!, cost: r.trainCost!, accuracy: r.trainAccuracy },
    validation: { loss: r.validationLoss!, cost: r.validationCost!, accuracy: r.validationAccuracy },
  });
  return Number.isFinite(v) ? v : null;
}

export interface CreatedTrials {
  fresh: number;
  reused: number;
  groups: number;
}

/**
 * Creates a planned stage's trial runs. A spec already in this search (any stage) waits for that
 * trial and copies its outcome; one that succeeded elsewhere in the project is reused at once;
 * the rest train, in fused groups (status pending until released by releaseGroups).
 */
export async function createTrials(
  tx: Tx,
  s: { id: string; projectId: string; search: SearchSpec },
  plan: StagePlan,
  workers: number,
): Promise<CreatedTrials> {
  const specs = plan.trials.map((params) => {
    const r = trialSpec(s.search, params);
    if (!r.ok) throw new TrialSpecError(r.message);
    return { params, spec: r.spec, hash: r.hash };
  });
  const hashes = [...new Set(specs.map((t) => t.hash))];
  const inSearch = await tx.run.findMany({ where: { searchId: s.id, reusedFromRunId: null, specHash: { in: hashes } }, select: { id: true, specHash: true } });
  const bySearch = new Map(inSearch.map((r) => [r.specHash!, r.id]));
  const elsewhere = await tx.run.findMany({
    where: { projectId: s.projectId, status: 'succeeded', reusedFromRunId: null, specHash: { in: hashes.filter((h) => !bySearch.has(h)) } },
    orderBy: { finishedAt: 'asc' },
  });
  const byProject = new Map<string, RunRow>();
  for (const r of elsewhere) if (!byProject.has(r.specHash!)) byProject.set(r.specHash!, r);

  const now = new Date();
  const rows: Prisma.RunCreateManyInput[] = [];
  const fresh: { row: Prisma.RunCreateManyInput; spec: ExperimentSpec }[] = [];
  let reused = 0;
  specs.forEach((t, i) => {
    const row: Prisma.RunCreateManyInput = {
      id: randomUUID(),
      projectId: s.projectId,
      name: `${s.search.name ?? 'search'} s${plan.stage} t${i}`,
      spec: t.spec as unknown as Prisma.InputJsonValue,
      ...specColumns(t.spec),
      searchId: s.id,
      stage: plan.stage,
      trialIndex: i,
      params: t.params as Prisma.InputJsonValue,
    };
    rows.push(row);
    const twin = bySearch.get(t.hash);
    if (twin) {
      row.reusedFromRunId = twin;
      reused++;
      return;
    }
    const done = byProject.get(t.hash);
    if (done) {
      Object.assign(row, copiedResult(done), { objective: objectiveOf(s.search, done), startedAt: now, finishedAt: now });
      reused++;
      return;
    }
    bySearch.set(t.hash, row.id!);
    fresh.push({ row, spec: t.spec });
  });

  const groups = groupTrials(fresh, { fuse: s.search.fuse, maxParallel: s.search.budget.maxParallel, workers });
  await tx.trialGroup.createMany({
    data: groups.map((members, position) => {
      const id = randomUUID();
      for (const m of members) m.row.groupId = id;
      return { id, searchId: s.id, stage: plan.stage, position, size: members.length };
    }),
  });
  await tx.run.createMany({ data: rows });
  await settleDuplicates(tx, s.id);
  return { fresh: fresh.length, reused, groups: groups.length };
}

export class TrialSpecError extends Error {}

function copiedResult(r: Source): Partial<Prisma.RunCreateManyInput> {
  return {
    status: r.status,
    reusedFromRunId: r.id,
    trainLoss: r.trainLoss,
    trainCost: r.trainCost,
    trainAccuracy: r.trainAccuracy,
    validationLoss: r.validationLoss,
    validationCost: r.validationCost,
    validationAccuracy: r.validationAccuracy,
    testLoss: r.testLoss,
    testCost: r.testCost,
    testAccuracy: r.testAccuracy,
    step: r.step,
    epoch: r.epoch,
    backend: r.backend,
    prunedAtStep: r.prunedAtStep,
    secondsLeft: null,
  };
}

/** Trials waiting for an identical trial of the same search take its outcome once it has one. */
export async function settleDuplicates(tx: Tx, searchId: string): Promise<number> {
  return tx.$executeRawUnsafe(
    `UPDATE runs d SET status = o.status, ${RESULT_COLUMNS.map((c) => `${c} = o.${c}`).join(', ')},
            objective = o.objective, pruned_at_step = o.pruned_at_step, step = o.step, epoch = o.epoch, backend = o.backend,
            error = o.error, seconds_left = NULL, started_at = COALESCE(d.started_at, now()), finished_at = now(), updated_at = now()
     FROM runs o
     WHERE d.search_id = $1::uuid AND d.reused_from_run_id = o.id AND d.status = 'queued'
       AND o.status IN (${TERMINAL.map((t) => `'${t}'`).join(', ')})`,
    searchId,
  );
}

/** Trials of the search that are queued or running in a stage. */
export function activeTrials(tx: Tx, searchId: string, stage: number): Promise<number> {
  return tx.run.count({ where: { searchId, stage, status: { in: ['queued', 'running'] } } });
}

/**
 * Groups whose members all finished are done; pending groups are released (marked enqueued, to be
 * added to the queue by the caller after commit) while the trials in flight stay within
 * maxParallel, at least one group at a time.
 */
export async function releaseGroups(tx: Tx, searchId: string, maxParallel: number): Promise<string[]> {
  await tx.$executeRawUnsafe(
    `UPDATE trial_groups g SET status = 'done', updated_at = now()
     WHERE g.search_id = $1::uuid AND g.status <> 'done'
       AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.group_id = g.id AND r.status IN ('queued', 'running'))`,
    searchId,
  );
  const inFlight = await tx.run.count({ where: { searchId, status: { in: ['queued', 'running'] }, group: { status: 'enqueued' } } });
  const pending = await tx.trialGroup.findMany({ where: { searchId, status: 'pending' }, orderBy: [{ stage: 'asc' }, { position: 'asc' }] });
  const released: string[] = [];
  let used = inFlight;
  for (const g of pending) {
    if (used > 0 && used + g.size > maxParallel) break;
    released.push(g.id);
    used += g.size;
  }
  if (released.length) await tx.trialGroup.updateMany({ where: { id: { in: released } }, data: { status: 'enqueued' } });
  return released;
}

/** Groups whose job must exist in the queue: released and not yet done. */
export function enqueuedGroups(tx: Tx, olderThan: Date, limit: number) {
  return tx.trialGroup.findMany({ where: { status: 'enqueued', updatedAt: { lt: olderThan } }, select: { id: true, searchId: true }, orderBy: { updatedAt: 'asc' }, take: limit });
}

export async function markGroupDone(tx: Tx, groupId: string): Promise<void> {
  await tx.trialGroup.updateMany({ where: { id: groupId, status: { not: 'done' } }, data: { status: 'done' } });
}

/** Fails a group's unfinished members (its job failed for good); returns the search to advance. */
export async function failGroup(tx: Tx, groupId: string, message: string): Promise<string | null> {
  await tx.run.updateMany({ where: { groupId, status: { in: ['queued', 'running'] } }, data: { status: 'failed', error: message.slice(0, 4000), finishedAt: new Date(), secondsLeft: null } });
  const g = await tx.trialGroup.findUnique({ where: { id: groupId }, select: { searchId: true } });
  await markGroupDone(tx, groupId);
  return g?.searchId ?? null;
}

export interface GroupClaim {
  searchId: string;
  stage: number;
  members: RunRow[];
}

/**
 * Marks the group's unfinished members running for one more attempt; members whose cancellation
 * was requested are cancelled instead. Members in plan order.
 */
export async function claimGroup(tx: Tx, groupId: string): Promise<GroupClaim | null> {
  const g = await tx.trialGroup.findUnique({ where: { id: groupId } });
  if (!g) return null;
  const now = new Date();
  await tx.run.updateMany({ where: { groupId, status: { in: ['queued', 'running'] }, cancelRequestedAt: { not: null } }, data: { status: 'cancelled', finishedAt: now, secondsLeft: null } });
  await tx.run.updateMany({ where: { groupId, status: { in: ['queued', 'running'] }, startedAt: null }, data: { startedAt: now } });
  await tx.run.updateMany({ where: { groupId, status: { in: ['queued', 'running'] } }, data: { status: 'running', attempts: { increment: 1 }, error: null } });
  const members = await tx.run.findMany({ where: { groupId, status: 'running' }, orderBy: { trialIndex: 'asc' } });
  return { searchId: g.searchId, stage: g.stage, members };
}
