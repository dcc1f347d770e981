// What a worker writes while it trains a run. Each epoch's metrics, the points measured since
// the last flush, the run's progress and the checkpoint go in one transaction, so a run resumed
// from its checkpoint never stores an epoch twice.
import type { EpochSummary, EvalPoint, TrainingResult } from '../core/training/metrics.js';
import pg from 'pg';
import type { Db } from './db.js';
import { TERMINAL, type RunRow } from './runs.js';

export type { Pool } from 'pg';

/**
 * The hot path (points, epochs, checkpoints) goes through plain node-postgres: one round trip per
 * statement and bytea sent as binary, several times cheaper than the ORM for these writes.
 */
export function createWriterPool(databaseUrl: string, max = 2): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  pool.on('error', () => {});
  return pool;
}

const POINT_COLUMNS = 11;

function pointsInsert(runId: string, points: EvalPoint[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const rows = points.map((p, i) => {
    values.push(runId, p.step, p.epoch, p.lr, p.full, p.train.loss, p.train.cost, p.train.accuracy, p.validation.loss, p.validation.cost, p.validation.accuracy);
    const o = i * POINT_COLUMNS;
    return `($${o + 1}::uuid, ${Array.from({ length: POINT_COLUMNS - 1 }, (_, k) => `$${o + k + 2}`).join(', ')})`;
  });
  return {
    text: `INSERT INTO metric_points (run_id, step, epoch, lr, "full", train_loss, train_cost, train_accuracy, validation_loss, validation_cost, validation_accuracy)
           VALUES ${rows.join(', ')} ON CONFLICT (run_id, step) DO NOTHING`,
    values,
  };
}

async function insertPoints(c: pg.PoolClient | pg.Pool, runId: string, points: EvalPoint[]): Promise<void> {
  for (let i = 0; i < points.length; i += 500) {
    const q = pointsInsert(runId, points.slice(i, i + 500));
    await c.query(q.text, q.values);
  }
}

export async function inTransaction(pool: pg.Pool, f: (c: pg.PoolClient) => Promise<void>): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await f(c);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Points at most per single-statement write; more go through a transaction of chunks. */
const ONE_STATEMENT_POINTS = 1000;

function pointValues(values: unknown[], runId: string, points: EvalPoint[]): string {
  return points
    .map((p) => {
      const o = values.length;
      values.push(runId, p.step, p.epoch, p.lr, p.full, p.train.loss, p.train.cost, p.train.accuracy, p.validation.loss, p.validation.cost, p.validation.accuracy);
      return `($${o + 1}::uuid, ${Array.from({ length: POINT_COLUMNS - 1 }, (_, k) => `$${o + k + 2}`).join(', ')})`;
    })
    .join(', ');
}

const POINTS_CTE = (rows: string) =>
  `pts AS (INSERT INTO metric_points (run_id, step, epoch, lr, "full", train_loss, train_cost, train_accuracy, validation_loss, validation_cost, validation_accuracy)
   VALUES ${rows} ON CONFLICT (run_id, step) DO NOTHING)`;

/** Each run's points since the last flush: a run alone, or every member of a fused group. */
export interface RunPoints {
  runId: string;
  points: EvalPoint[];
}

/**
 * Points measured since the last flush, and the runs' progress (members of a group share it): one
 * statement (data-modifying CTEs), so one round trip and atomic without BEGIN/COMMIT.
 */
export async function writePoints(pool: pg.Pool, runId: string, points: EvalPoint[], progress: Progress | null): Promise<void> {
  await writeRunsPoints(pool, [{ runId, points }], progress);
}

export async function writeRunsPoints(pool: pg.Pool, runs: RunPoints[], progress: Progress | null): Promise<void> {
  const count = runs.reduce((n, r) => n + r.points.length, 0);
  if (count > ONE_STATEMENT_POINTS || !progress) {
    if (count) await inTransaction(pool, async (c) => {
      for (const r of runs) await insertPoints(c, r.runId, r.points);
    });
    if (progress) await writeRunsPoints(pool, runs.map((r) => ({ runId: r.runId, points: [] })), progress);
    return;
  }
  const values: unknown[] = [runs.map((r) => r.runId), progress.step, Math.floor(progress.epoch), progress.secondsLeft];
  const rows = runs.filter((r) => r.points.length).map((r) => pointValues(values, r.runId, r.points));
  const ctes = rows.length ? `WITH ${POINTS_CTE(rows.join(', '))} ` : '';
  await pool.query(`${ctes}UPDATE runs SET step = $2, epoch = $3, seconds_left = $4, updated_at = now() WHERE id = ANY($1::uuid[])`, values);
}

/** One run's end of epoch: its summary, the points since the last flush and its checkpoint. */
export interface EpochCommit {
  runId: string;
  summary: EpochSummary;
  points: EvalPoint[];
  checkpoint: Uint8Array;
}

/**
 * One epoch: its summary, the points since the last flush, the checkpoint and the run's progress,
 * atomically, in a single statement (one round trip). A duplicate epoch fails the whole statement.
 */
export async function commitEpoch(pool: pg.Pool, runId: string, summary: EpochSummary, points: EvalPoint[], checkpoint: Uint8Array, progress: Progress): Promise<void> {
  await commitEpochs(pool, [{ runId, summary, points, checkpoint }], progress);
}

/**
 * The same epoch of every member of a fused group in one statement, so that all members'
 * checkpoints are always taken at the same step and a resumed group can train together again.
 */
export async function commitEpochs(pool: pg.Pool, commits: EpochCommit[], progress: Progress): Promise<void> {
  if (commits.reduce((n, c) => n + c.points.length, 0) > ONE_STATEMENT_POINTS) {
    await inTransaction(pool, async (c) => {
      for (const e of commits) await insertPoints(c, e.runId, e.points);
    });
    commits = commits.map((e) => ({ ...e, points: [] }));
  }
  const values: unknown[] = [commits.map((e) => e.runId), progress.step, commits[0].summary.epoch, progress.secondsLeft];
  const epochRows: string[] = [];
  const checkpointRows: string[] = [];
  const pointRows: string[] = [];
  for (const e of commits) {
    const s = e.summary;
    const o = values.length;
    values.push(e.runId, s.epoch, s.step, s.lr, s.trainSeconds, s.train.loss, s.train.cost, s.train.accuracy, s.validation.loss, s.validation.cost, s.validation.accuracy, asBuffer(e.checkpoint));
    epochRows.push(`($${o + 1}::uuid, ${Array.from({ length: 10 }, (_, k) => `$${o + k + 2}`).join(', ')})`);
    checkpointRows.push(`($${o + 1}::uuid, $${o + 3}::int, $${o + 2}::int, $${o + 12}::bytea, now())`);
    if (e.points.length) pointRows.push(pointValues(values, e.runId, e.points));
  }
  const pts = pointRows.length ? `${POINTS_CTE(pointRows.join(', '))},` : '';
  await pool.query(
    `WITH ${pts}
     ep AS (INSERT INTO epochs (run_id, epoch, step, lr, train_seconds, train_loss, train_cost, train_accuracy, validation_loss, validation_cost, validation_accuracy)
            VALUES ${epochRows.join(', ')}),
     ck AS (INSERT INTO checkpoints (run_id, step, epoch, data, created_at) VALUES ${checkpointRows.join(', ')}
            ON CONFLICT (run_id) DO UPDATE SET step = EXCLUDED.step, epoch = EXCLUDED.epoch, data = EXCLUDED.data, created_at = now())
     UPDATE runs SET step = $2, epoch = $3, seconds_left = $4, updated_at = now() WHERE id = ANY($1::uuid[])`,
    values,
  );
}

/** A mid-epoch checkpoint of each run (on SIGTERM) and the runs handed back to the queue, atomically. */
export async function checkpointAndRequeue(pool: pg.Pool, runs: { runId: string; points: EvalPoint[]; checkpoint: Uint8Array }[], step: number, epoch: number): Promise<void> {
  await inTransaction(pool, async (c) => {
    for (const r of runs) {
      if (r.points.length) await insertPoints(c, r.runId, r.points);
      await c.query(
        `INSERT INTO checkpoints (run_id, step, epoch, data, created_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (run_id) DO UPDATE SET step = EXCLUDED.step, epoch = EXCLUDED.epoch, data = EXCLUDED.data, created_at = now()`,
        [r.runId, step, epoch, asBuffer(r.checkpoint)],
      );
      await c.query(`UPDATE runs SET status = 'queued', step = $2, seconds_left = NULL, updated_at = now() WHERE id = $1 AND status = 'running'`, [r.runId, step]);
    }
  });
}

export interface Progress {
  step: number;
  epoch: number;
  secondsLeft: number | null;
}

export type ClaimResult = { kind: 'run'; run: RunRow } | { kind: 'cancelled' } | { kind: 'finished' } | { kind: 'missing' };

/** Marks the run running for one more attempt, unless it is finished or was cancelled. */
export async function claimRun(db: Db, id: string): Promise<ClaimResult> {
  const run = await db.run.findUnique({ where: { id } });
  if (!run) return { kind: 'missing' };
  if (TERMINAL.includes(run.status)) return { kind: 'finished' };
  if (run.cancelRequestedAt) {
    await markCancelled(db, id);
    return { kind: 'cancelled' };
  }
  const claimed = await db.run.updateMany({
    where: { id, status: { in: ['queued', 'running'] }, cancelRequestedAt: null },
    data: { status: 'running', attempts: { increment: 1 }, startedAt: run.startedAt ?? new Date(), error: null },
  });
  if (claimed.count === 0) return claimRun(db, id);
  return { kind: 'run', run: (await db.run.findUnique({ where: { id } }))! };
}

export async function loadCheckpoint(db: Db, runId: string): Promise<{ step: number; epoch: number; data: Uint8Array } | null> {
  const c = await db.checkpoint.findUnique({ where: { runId } });
  return c ? { step: c.step, epoch: c.epoch, data: c.data } : null;
}

/** Points written after the checkpoint by an attempt that died: the resumed attempt writes them again. */
export async function dropPointsAfter(db: Db, runId: string, step: number): Promise<void> {
  await db.metricPoint.deleteMany({ where: { runId, step: { gt: step } } });
}

export interface FinalArtifact {
  name: string;
  contentType: string;
  body: Buffer;
}

/**
 * Remaining points, the artifacts and the final metrics land in one transaction (a search trial
 * also gets its objective's value). Plain node-postgres: artifacts (weights.json is megabytes)
 * go as binary bytea parameters, many times cheaper than through the ORM.
 */
export async function finishRun(pool: pg.Pool, runId: string, result: TrainingResult, backend: string, artifacts: FinalArtifact[], points: EvalPoint[], objective?: number): Promise<void> {
  const last = result.epochs[result.epochs.length - 1];
  await inTransaction(pool, async (c) => {
    if (points.length) await insertPoints(c, runId, points);
    await c.query('DELETE FROM artifacts WHERE run_id = $1', [runId]);
    for (const a of artifacts) {
      await c.query('INSERT INTO artifacts (run_id, name, content_type, size, data) VALUES ($1, $2, $3, $4, $5)', [runId, a.name, a.contentType, a.body.length, a.body]);
    }
    const m = [result.train, result.validation, result.test].flatMap((x) => [x.loss, x.cost, x.accuracy]);
    const setObjective = objective !== undefined;
    await c.query(
      `UPDATE runs SET status = 'succeeded', step = $2, epoch = $3, seconds_left = 0, backend = $4,
              train_loss = $5, train_cost = $6, train_accuracy = $7, validation_loss = $8, validation_cost = $9, validation_accuracy = $10,
              test_loss = $11, test_cost = $12, test_accuracy = $13,
              objective = CASE WHEN $14 THEN $15::float8 ELSE objective END, finished_at = now(), error = NULL, updated_at = now()
       WHERE id = $1`,
      [runId, result.steps, last ? last.epoch : 0, backend, ...m, setObjective, setObjective && Number.isFinite(objective) ? objective : null],
    );
  });
}

/** Fails a run that is not already finished; returns whether it changed. */
export async function failRun(db: Db, runId: string, message: string): Promise<boolean> {
  const r = await db.run.updateMany({
    where: { id: runId, status: { in: ['queued', 'running'] } },
    data: { status: 'failed', error: message.slice(0, 4000), finishedAt: new Date(), secondsLeft: null },
  });
  return r.count > 0;
}

export async function markCancelled(db: Db, runId: string): Promise<void> {
  await db.run.updateMany({
    where: { id: runId, status: { in: ['queued', 'running'] } },
    data: { status: 'cancelled', finishedAt: new Date(), secondsLeft: null },
  });
}

export async function cancelRequested(pool: pg.Pool, runId: string): Promise<boolean> {
  return (await cancelRequestedAmong(pool, [runId])).length > 0;
}

/** Those of the runs that were cancelled (or asked to be) or no longer exist. */
export async function cancelRequestedAmong(pool: pg.Pool, runIds: string[]): Promise<string[]> {
  const r = await pool.query<{ id: string }>(
    `SELECT x.id FROM unnest($1::uuid[]) AS x(id) LEFT JOIN runs r ON r.id = x.id
     WHERE r.id IS NULL OR r.cancel_requested_at IS NOT NULL OR r.status = 'cancelled'`,
    [runIds],
  );
  return r.rows.map((row) => row.id);
}

/** Forgets the runs' recorded history (their checkpoints cannot resume them): they start over. */
export async function resetHistory(db: Db, runIds: string[]): Promise<void> {
  const where = { runId: { in: runIds } };
  await db.$transaction([db.epoch.deleteMany({ where }), db.metricPoint.deleteMany({ where }), db.checkpoint.deleteMany({ where })]);
}

export async function setBackend(db: Db, runId: string, backend: string): Promise<void> {
  await db.run.update({ where: { id: runId }, data: { backend }, select: { id: true } });
}
