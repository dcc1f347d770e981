// Runs: creation (idempotent), reads and the list query the API serves.
import { randomUUID } from 'node:crypto';
import { specHash } from '../search/specHash.js';
import { stepsPerEpoch, totalEpochs, totalUpdates, type ExperimentSpec } from '../experiment/experimentSpec.js';
import { Prisma, type Db } from './db.js';
import type { RunModel } from './generated/models.js';
import type { RunStatus } from './generated/enums.js';

export type RunRow = RunModel;
export const TERMINAL: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'pruned'];
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'pruned'];

export interface NewRun {
  projectId: string;
  spec: ExperimentSpec;
  name?: string;
  tags?: string[];
  idempotencyKey?: string;
}

/** Columns copied from the spec so that lists can filter and sort on them. */
export function specColumns(spec: ExperimentSpec) {
  return {
    dataset: spec.data.dataset,
    hiddenLayers: spec.model.hidden.length,
    batchNorm: spec.model.batchNorm,
    scheduleKind: spec.training.schedule.kind,
    lambda: spec.training.lambda,
    batchSize: spec.training.batchSize,
    seed: BigInt(spec.seed),
    epochsTotal: totalEpochs(spec),
    stepsTotal: totalUpdates(spec),
    specHash: specHash(spec),
  };
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/** Inserts a queued run; with an idempotency key already used by the project, returns that run instead. */
export async function createRun(db: Db, r: NewRun): Promise<{ run: RunRow; created: boolean }> {
  if (r.idempotencyKey) {
    const existing = await db.run.findUnique({ where: { projectId_idempotencyKey: { projectId: r.projectId, idempotencyKey: r.idempotencyKey } } });
    if (existing) return { run: existing, created: false };
  }
  try {
    const run = await db.run.create({
      data: {
        id: randomUUID(),
        projectId: r.projectId,
        name: r.name ?? r.spec.name ?? null,
        tags: r.tags ?? [],
        idempotencyKey: r.idempotencyKey ?? null,
        spec: r.spec as unknown as Prisma.InputJsonValue,
        ...specColumns(r.spec),
      },
    });
    return { run, created: true };
  } catch (err) {
    if (r.idempotencyKey && isUniqueViolation(err)) {
      const existing = await db.run.findUnique({ where: { projectId_idempotencyKey: { projectId: r.projectId, idempotencyKey: r.idempotencyKey } } });
      if (existing) return { run: existing, created: false };
    }
    throw err;
  }
}

export function getRun(db: Db, projectId: string, id: string): Promise<RunRow | null> {
  return db.run.findFirst({ where: { id, projectId } });
}

export const SORT_FIELDS = {
  createdAt: 'createdAt',
  validationAccuracy: 'validationAccuracy',
  testAccuracy: 'testAccuracy',
  trainAccuracy: 'trainAccuracy',
  validationLoss: 'validationLoss',
  lambda: 'lambda',
  name: 'name',
} as const;
export type SortField = keyof typeof SORT_FIELDS;

export interface RunFilters {
  status?: RunStatus[];
  tags?: string[];
  dataset?: string;
  scheduleKind?: string;
  batchNorm?: string;
  hiddenLayers?: number;
  lambdaMin?: number;
  lambdaMax?: number;
  validationAccuracyMin?: number;
  validationAccuracyMax?: number;
  testAccuracyMin?: number;
  testAccuracyMax?: number;
  name?: string;
  searchId?: string;
  stage?: number;
}

export interface ListOptions {
  filters: RunFilters;
  sort: SortField;
  order: 'asc' | 'desc';
  limit: number;
  /** id of the last run of the previous page. */
  after?: string;
}

function range(min: number | undefined, max: number | undefined) {
  if (min === undefined && max === undefined) return undefined;
  return { ...(min !== undefined ? { gte: min } : {}), ...(max !== undefined ? { lte: max } : {}) };
}

export function runWhere(projectId: string, f: RunFilters): Prisma.RunWhereInput {
  const where: Prisma.RunWhereInput = { projectId };
  if (f.status?.length) where.status = { in: f.status };
  if (f.tags?.length) where.tags = { hasEvery: f.tags };
  if (f.dataset) where.dataset = f.dataset;
  if (f.scheduleKind) where.scheduleKind = f.scheduleKind;
  if (f.batchNorm) where.batchNorm = f.batchNorm;
  if (f.hiddenLayers !== undefined) where.hiddenLayers = f.hiddenLayers;
  if (f.name) where.name = { contains: f.name };
  if (f.searchId) where.searchId = f.searchId;
  if (f.stage !== undefined) where.stage = f.stage;
  const lambda = range(f.lambdaMin, f.lambdaMax);
  if (lambda) where.lambda = lambda;
  const va = range(f.validationAccuracyMin, f.validationAccuracyMax);
  if (va) where.validationAccuracy = va;
  const ta = range(f.testAccuracyMin, f.testAccuracyMax);
  if (ta) where.testAccuracy = ta;
  return where;
}

/** One page of runs and whether more follow (keyset pagination on (sort field, id) via Prisma's cursor). */
export async function listRuns(db: Db, projectId: string, o: ListOptions): Promise<{ runs: RunRow[]; more: boolean }> {
  const field = SORT_FIELDS[o.sort];
  const orderBy: Prisma.RunOrderByWithRelationInput[] =
    field === 'createdAt' || field === 'lambda'
      ? [{ [field]: o.order }, { id: o.order }]
      : [{ [field]: { sort: o.order, nulls: 'last' } }, { id: o.order }];
  const rows = await db.run.findMany({
    where: runWhere(projectId, o.filters),
    orderBy,
    take: o.limit + 1,
    ...(o.after ? { cursor: { id: o.after }, skip: 1 } : {}),
  });
  return { runs: rows.slice(0, o.limit), more: rows.length > o.limit };
}

/**
 * Asks a run to stop. A queued run is cancelled at once; a running one is flagged and its
 * worker stops at its next check. Returns the run after the change, or null if not found.
 */
export async function requestCancel(db: Db, projectId: string, id: string): Promise<RunRow | null> {
  const now = new Date();
  await db.run.updateMany({ where: { id, projectId, status: 'queued' }, data: { status: 'cancelled', cancelRequestedAt: now, finishedAt: now, secondsLeft: null } });
  await db.run.updateMany({ where: { id, projectId, status: 'running', cancelRequestedAt: null }, data: { cancelRequestedAt: now } });
  return getRun(db, projectId, id);
}

export async function runCountsByStatus(db: Db): Promise<Record<RunStatus, number>> {
  const rows = await db.run.groupBy({ by: ['status'], _count: { _all: true } });
  const out = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
  for (const r of rows) out[r.status] = r._count._all;
  return out;
}

export function progressOf(spec: ExperimentSpec) {
  return { steps: totalUpdates(spec), epochs: totalEpochs(spec), stepsPerEpoch: stepsPerEpoch(spec) };
}
