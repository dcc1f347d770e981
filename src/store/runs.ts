// Runs: creation (idempotent), reads (the API's hot read through one prepared statement), the
// list query, cancellation, and an attempt's claim with its lease.
import { createHash, randomUUID } from 'node:crypto';
import { specHash } from '../experiment/specHash.js';
import { totalEpochs, totalUpdates, type ExperimentSpec } from '../experiment/experimentSpec.js';
import { Prisma, type Db } from './db.js';
import type { RunModel } from './generated/models.js';
import type { RunStatus } from './generated/enums.js';
import { byIdempotencyKey, idempotentCreate, newKeyedRecord } from './idempotentCreate.js';
import { afterCursor, decodeCursor, encodeCursor } from './pageCursor.js';
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

/** Sortable fields: their column, and whether it can be null (nulls sort last either way). */
export const SORT_FIELDS = {
  createdAt: { column: 'created_at', nullable: false },
  validationAccuracy: { column: 'validation_accuracy', nullable: true },
  testAccuracy: { column: 'test_accuracy', nullable: true },
  trainAccuracy: { column: 'train_accuracy', nullable: true },
  validationLoss: { column: 'validation_loss', nullable: true },
  lambda: { column: 'lambda', nullable: false },
  name: { column: 'name', nullable: true },
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
  /** Only these runs (a compare view's selection). */
  ids?: string[];
}

export interface ListOptions {
  filters: RunFilters;
  sort: SortField;
  order: 'asc' | 'desc';
  limit: number;
  /** The previous page's nextCursor. */
  cursor?: string;
  /** Also count every run the filters match. */
  withTotal?: boolean;
}

/** LIKE's wildcards in a user's text stand for themselves. */
export const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The filters as SQL over runs, with their parameters. */
function runFilterSql(projectId: string, f: RunFilters): { where: string[]; values: unknown[] } {
  const values: unknown[] = [projectId];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const where = ['project_id = $1::uuid'];
  if (f.status?.length) where.push(`status = ANY(${p(f.status)}::run_status[])`);
  if (f.tags?.length) where.push(`tags @> ${p(f.tags)}::text[]`);
  if (f.dataset) where.push(`dataset = ${p(f.dataset)}`);
  if (f.scheduleKind) where.push(`schedule_kind = ${p(f.scheduleKind)}`);
  if (f.batchNorm) where.push(`batch_norm = ${p(f.batchNorm)}`);
  if (f.hiddenLayers !== undefined) where.push(`hidden_layers = ${p(f.hiddenLayers)}`);
  if (f.name) where.push(`name LIKE ${p(`%${likeEscaped(f.name)}%`)}`);
  if (f.searchId) where.push(`search_id = ${p(f.searchId)}::uuid`);
  if (f.stage !== undefined) where.push(`stage = ${p(f.stage)}`);
  if (f.ids?.length) where.push(`id = ANY(${p(f.ids)}::uuid[])`);
  const range = (column: string, min?: number, max?: number) => {
    if (min !== undefined) where.push(`${column} >= ${p(min)}`);
    if (max !== undefined) where.push(`${column} <= ${p(max)}`);
  };
  range('lambda', f.lambdaMin, f.lambdaMax);
  range('validation_accuracy', f.validationAccuracyMin, f.validationAccuracyMax);
  range('test_accuracy', f.testAccuracyMin, f.testAccuracyMax);
  return { where, values };
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
  notes: 'notes',
};
const SELECT_RUN = `SELECT ${Object.entries(RUN_FIELDS)
  .map(([f, c]) => (f === 'status' ? `"status"::text AS "status"` : `"${c}" AS "${f}"`))
  .join(', ')} FROM runs`;

function runOfRow(raw: Record<string, unknown>): RunRow {
  raw.seed = BigInt(raw.seed as string);
  return raw as unknown as RunRow;
}

/** The sort value of a run as a cursor carries it. */
function cursorValue(run: RunRow, sort: SortField): string | number | null {
  const v = (run as unknown as Record<string, unknown>)[sort];
  return v instanceof Date ? v.toISOString() : (v as string | number | null);
}

/** Prepared statements are named by their text, so each query shape is planned once per connection. */
const statementName = (text: string) => `trainyard_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;

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
      return r.rows.length ? runOfRow(r.rows[0]) : null;
    },

    /**
     * One page of runs, keyset-paged on (sort value, id) with nulls last, and the cursor of the
     * next page (null on the last). Throws CursorError for a cursor of another project or sort.
     */
    async list(projectId: string, o: ListOptions): Promise<{ runs: RunRow[]; nextCursor: string | null; total?: number }> {
      const field = SORT_FIELDS[o.sort];
      const desc = o.order === 'desc';
      const sortKey = `${desc ? '-' : ''}${o.sort}`;
      const { where, values } = runFilterSql(projectId, o.filters);
      const filtered = [...where];
      const filterValues = values.length;
      const p = (v: unknown) => {
        values.push(v);
        return `$${values.length}`;
      };
      if (o.cursor) where.push(afterCursor(field.column, desc, field.nullable, decodeCursor(projectId, sortKey, o.cursor), p));
      const dir = desc ? 'DESC' : 'ASC';
      const order = `${field.nullable ? `(${field.column} IS NULL), ` : ''}${field.column} ${dir}, id ${dir}`;
      const text = `${SELECT_RUN} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${o.limit + 1}`;
      const r = await pool.query({ name: statementName(text), text, values });
      const rows = r.rows.map(runOfRow);
      const page = rows.slice(0, o.limit);
      const last = page.at(-1);
      const nextCursor = rows.length > o.limit && last ? encodeCursor(projectId, { sort: sortKey, value: cursorValue(last, o.sort), id: last.id }) : null;
      if (!o.withTotal) return { runs: page, nextCursor };
      const count = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM runs WHERE ${filtered.join(' AND ')}`, values.slice(0, filterValues));
      return { runs: page, nextCursor, total: Number(count.rows[0].n) };
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

    /** Changes what people write about a run (name, tags, notes); null when it is not the project's. */
    async annotate(projectId: string, id: string, change: { name?: string; tags?: string[]; notes?: string | null }): Promise<RunRow | null> {
      const r = await db.run.updateMany({ where: { id, projectId }, data: change });
      return r.count ? repo.get(projectId, id) : null;
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
