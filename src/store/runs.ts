// Runs: creation (idempotent), reads (the API's hot read through one prepared statement), the
// list query, cancellation, and an attempt's claim with its lease.
import { randomUUID } from 'node:crypto';
import { specHash } from '../experiment/specHash.js';
import { totalEpochs, totalUpdates, type ExperimentSpec } from '../experiment/experimentSpec.js';
import { Prisma, type Db } from './db.js';
import type { RunModel } from './generated/models.js';
import type { RunStatus } from './generated/enums.js';
import { byIdempotencyKey, idempotentCreate, newKeyedRecord } from './idempotentCreate.js';
import type { Pool } from './pool.js';

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

function runWhere(projectId: string, f: RunFilters): Prisma.RunWhereInput {
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

// The run row with Prisma's field names, for the hot read (a test compares it with the ORM's row).
const RUN_FIELDS: Record<keyof RunRow, string> = {
  id: 'id',
  projectId: 'project_id',
  name: 'name',
  tags: 'tags',
  status: 'status',
  idempotencyKey: 'idempotency_key',
  spec: 'spec',
  dataset: 'dataset',
  hiddenLayers: 'hidden_layers',
  batchNorm: 'batch_norm',
  scheduleKind: 'schedule_kind',
  lambda: 'lambda',
  batchSize: 'batch_size',
  seed: 'seed',
  epochsTotal: 'epochs_total',
  stepsTotal: 'steps_total',
  epoch: 'epoch',
  step: 'step',
  secondsLeft: 'seconds_left',
  trainAccuracy: 'train_accuracy',
  validationAccuracy: 'validation_accuracy',
  testAccuracy: 'test_accuracy',
  trainLoss: 'train_loss',
  validationLoss: 'validation_loss',
  testLoss: 'test_loss',
  trainCost: 'train_cost',
  validationCost: 'validation_cost',
  testCost: 'test_cost',
  backend: 'backend',
  error: 'error',
  attempts: 'attempts',
  cancelRequestedAt: 'cancel_requested_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  searchId: 'search_id',
  stage: 'stage',
  trialIndex: 'trial_index',
  params: 'params',
  specHash: 'spec_hash',
  objective: 'objective',
  groupId: 'group_id',
  reusedFromRunId: 'reused_from_run_id',
  prunedAtStep: 'pruned_at_step',
  leaseToken: 'lease_token',
};
const SELECT_RUN = `SELECT ${Object.entries(RUN_FIELDS)
  .map(([f, c]) => (f === 'status' ? `"status"::text AS "status"` : `"${c}" AS "${f}"`))
  .join(', ')} FROM runs`;

export type ClaimResult = { kind: 'run'; run: RunRow; lease: string } | { kind: 'cancelled' } | { kind: 'finished' } | { kind: 'missing' };

export function runRepository(db: Db, pool: Pool) {
  const repo = {
    async create(r: NewRun): Promise<{ run: RunRow; created: boolean }> {
      const find = () => db.run.findUnique({ where: byIdempotencyKey(r.projectId, r.idempotencyKey!) });
      const create = () =>
        db.run.create({
          data: { ...newKeyedRecord(r.projectId, r.idempotencyKey), name: r.name ?? r.spec.name ?? null, tags: r.tags ?? [], spec: r.spec as unknown as Prisma.InputJsonValue, ...specColumns(r.spec) },
        });
      const { row, created } = await idempotentCreate(r.idempotencyKey, find, create);
      return { run: row, created };
    },

    /** The run, through one prepared statement: what clients poll. */
    async get(projectId: string, id: string): Promise<RunRow | null> {
      const r = await pool.query({ name: 'trainyard_get_run', text: `${SELECT_RUN} WHERE id = $1::uuid AND project_id = $2::uuid`, values: [id, projectId] });
      if (r.rows.length === 0) return null;
      const row = r.rows[0] as Record<string, unknown>;
      row.seed = BigInt(row.seed as string);
      return row as unknown as RunRow;
    },

    /** One page of runs and whether more follow (keyset pagination on (sort field, id) via Prisma's cursor). */
    async list(projectId: string, o: ListOptions): Promise<{ runs: RunRow[]; more: boolean }> {
      const field = SORT_FIELDS[o.sort];
      const orderBy: Prisma.RunOrderByWithRelationInput[] =
        field === 'createdAt' || field === 'lambda' ? [{ [field]: o.order }, { id: o.order }] : [{ [field]: { sort: o.order, nulls: 'last' } }, { id: o.order }];
      const rows = await db.run.findMany({ where: runWhere(projectId, o.filters), orderBy, take: o.limit + 1, ...(o.after ? { cursor: { id: o.after }, skip: 1 } : {}) });
      return { runs: rows.slice(0, o.limit), more: rows.length > o.limit };
    },

    /**
     * Asks a run to stop. A queued run is cancelled at once; a running one is flagged and its
     * trainer stops at its next check. Returns the run after the change, or null if not found.
     */
    async requestCancel(projectId: string, id: string): Promise<RunRow | null> {
      const now = new Date();
      await db.run.updateMany({ where: { id, projectId, status: 'queued' }, data: { status: 'cancelled', cancelRequestedAt: now, finishedAt: now, secondsLeft: null } });
      await db.run.updateMany({ where: { id, projectId, status: 'running', cancelRequestedAt: null }, data: { cancelRequestedAt: now } });
      return repo.get(projectId, id);
    },

    async countsByStatus(): Promise<Record<RunStatus, number>> {
      const rows = await db.run.groupBy({ by: ['status'], _count: { _all: true } });
      const out = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
      for (const r of rows) out[r.status] = r._count._all;
      return out;
    },

    /** Marks the run running for one more attempt under a new lease, unless it is finished or was cancelled. */
    async claim(id: string): Promise<ClaimResult> {
      const r = await pool.query<{ status: RunStatus; cancelled: boolean }>(`SELECT status::text AS status, cancel_requested_at IS NOT NULL AS cancelled FROM runs WHERE id = $1`, [id]);
      const run = r.rows[0];
      if (!run) return { kind: 'missing' };
      if (TERMINAL.includes(run.status)) return { kind: 'finished' };
      if (run.cancelled) {
        await pool.query(`UPDATE runs SET status = 'cancelled', finished_at = now(), seconds_left = NULL, lease_token = NULL, updated_at = now() WHERE id = $1 AND status IN ('queued', 'running')`, [id]);
        return { kind: 'cancelled' };
      }
      const lease = randomUUID();
      const claimed = await pool.query(
        `UPDATE runs SET status = 'running', lease_token = $2, attempts = attempts + 1, started_at = COALESCE(started_at, now()), error = NULL, updated_at = now()
         WHERE id = $1 AND status IN ('queued', 'running') AND cancel_requested_at IS NULL`,
        [id, lease],
      );
      if (claimed.rowCount === 0) return repo.claim(id);
      return { kind: 'run', run: (await db.run.findUnique({ where: { id } }))!, lease };
    },

    /** Fails a run that is not finished, whoever trains it (its job failed for good); returns whether it changed. */
    async fail(id: string, message: string): Promise<boolean> {
      const r = await pool.query(
        `UPDATE runs SET status = 'failed', error = $2, finished_at = now(), seconds_left = NULL, lease_token = NULL, updated_at = now() WHERE id = $1 AND status IN ('queued', 'running')`,
        [id, message.slice(0, 4000)],
      );
      return (r.rowCount ?? 0) > 0;
    },

    /**
     * A job whose worker stopped renewing its lock goes back to queued (the next attempt resumes it).
     * Only runs nobody wrote for `quietMs`: BullMQ has put the job back in the wait list before the
     * 'stalled' event is handled, so a new attempt may already have claimed the run (a claim, like
     * every trainer write, sets updated_at); a dead attempt's last write is at least half a lock
     * duration older than the stall.
     */
    async requeueStalled(ids: { runId?: string; groupId?: string }, quietMs: number): Promise<void> {
      await pool.query(
        `UPDATE runs SET status = 'queued', updated_at = now()
         WHERE status = 'running' AND (id = $1::uuid OR group_id = $2::uuid) AND updated_at < now() - make_interval(secs => $3::float8 / 1000)`,
        [ids.runId ?? null, ids.groupId ?? null, quietMs],
      );
    },
  };
  return repo;
}

export type RunRepository = ReturnType<typeof runRepository>;
