// What a worker writes while it trains a run. Each epoch's metrics, the points measured since
// the last flush, the run's progress and the checkpoint go in one transaction, so a run resumed
// from its checkpoint never stores an epoch twice.
import type { EpochSummary, EvalPoint, TrainingResult } from '../core/training/metrics.js';
import pg from 'pg';
import type { Db } from './db.js';
import type { RunRow } from './runs.js';

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

async function inTransaction(pool: pg.Pool, f: (c: pg.PoolClient) => Promise<void>): Promise<void> {
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

/**
 * Points measured since the last flush, and the run's progress: one statement (data-modifying
 * CTEs), so one round trip and atomic without BEGIN/COMMIT.
 */
export async function writePoints(pool: pg.Pool, runId: string, points: EvalPoint[], progress: Progress | null): Promise<void> {
  if (points.length > ONE_STATEMENT_POINTS || !progress) {
    if (points.length) await inTransaction(pool, (c) => insertPoints(c, runId, points));
    if (progress) await writePoints(pool, runId, [], progress);
    return;
  }
  const values: unknown[] = [runId, progress.step, Math.floor(progress.epoch), progress.secondsLeft];
  const ctes = points.length ? `WITH ${POINTS_CTE(pointValues(values, runId, points))} ` : '';
  await pool.query(`${ctes}UPDATE runs SET step = $2, epoch = $3, seconds_left = $4, updated_at = now() WHERE id = $1::uuid`, values);
}

/**
 * One epoch: its summary, the points since the last flush, the checkpoint and the run's progress,
 * atomically, in a single statement (one round trip). A duplicate epoch fails the whole statement.
 */
export async function commitEpoch(pool: pg.Pool, runId: string, summary: EpochSummary, points: EvalPoint[], checkpoint: Uint8Array, progress: Progress): Promise<void> {
  if (points.length > ONE_STATEMENT_POINTS) {
    await inTransaction(pool, (c) => insertPoints(c, runId, points));
    points = [];
  }
  const values: unknown[] = [
    runId,
    summary.epoch,
    summary.step,
    summary.lr,
    summary.trainSeconds,
    summary.train.loss,
    summary.train.cost,
    summary.train.accuracy,
    summary.validation.loss,
    summary.validation.cost,
    summary.validation.accuracy,
    asBuffer(checkpoint),
    progress.step,
    progress.secondsLeft,
  ];
  const pts = points.length ? `${POINTS_CTE(pointValues(values, runId, points))},` : '';
  await pool.query(
    `WITH ${pts}
     ep AS (INSERT INTO epochs (run_id, epoch, step, lr, train_seconds, train_loss, train_cost, train_accuracy, validation_loss, validation_cost, validation_accuracy)
            VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)),
     ck AS (INSERT INTO checkpoints (run_id, step, epoch, data, created_at) VALUES ($1::uuid, $3, $2, $12, now())
            ON CONFLICT (run_id) DO UPDATE SET step = EXCLUDED.step, epoch = EXCLUDED.epoch, data = EXCLUDED.data, created_at = now())
     UPDATE runs SET step = $13, epoch = $2, seconds_left = $14, updated_at = now() WHERE id = $1::uuid`,
    values,
  );
}

/** A mid-epoch checkpoint (on SIGTERM) and the run handed back to the queue. */
export async function checkpointAndRequeue(pool: pg.Pool, runId: string, points: EvalPoint[], step: number, epoch: number, checkpoint: Uint8Array): Promise<void> {
  await inTransaction(pool, async (c) => {
    if (points.length) await insertPoints(c, runId, points);
    await c.query(
      `INSERT INTO checkpoints (run_id, step, epoch, data, created_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (run_id) DO UPDATE SET step = EXCLUDED.step, epoch = EXCLUDED.epoch, data = EXCLUDED.data, created_at = now()`,
      [runId, step, epoch, asBuffer(checkpoint)],
    );
    await c.query(`UPDATE runs SET status = 'queued', step = $2, seconds_left = NULL, updated_at = now() WHERE id = $1 AND status = 'running'`, [runId, step]);
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
  if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') return { kind: 'finished' };
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

/** Remaining points are written first (idempotent); the artifacts and final metrics then land together. */
export async function finishRun(db: Db, pool: pg.Pool, runId: string, result: TrainingResult, backend: string, artifacts: FinalArtifact[], points: EvalPoint[]): Promise<void> {
  if (points.length) await insertPoints(pool, runId, points);
  await db.$transaction([
    db.artifact.deleteMany({ where: { runId } }),
    db.artifact.createMany({
      data: artifacts.map((a) => ({ runId, name: a.name, contentType: a.contentType, size: a.body.length, data: new Uint8Array(a.body) })),
    }),
    db.run.update({
      where: { id: runId },
      data: {
        status: 'succeeded',
        step: result.steps,
        epoch: result.epochs.length ? result.epochs[result.epochs.length - 1].epoch : 0,
        secondsLeft: 0,
        backend,
        trainAccuracy: result.train.accuracy,
        validationAccuracy: result.validation.accuracy,
        testAccuracy: result.test.accuracy,
        trainLoss: result.train.loss,
        validationLoss: result.validation.loss,
        testLoss: result.test.loss,
        trainCost: result.train.cost,
        validationCost: result.validation.cost,
        testCost: result.test.cost,
        finishedAt: new Date(),
        error: null,
      },
      select: { id: true },
    }),
  ]);
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
  const r = await pool.query<{ stop: boolean }>(`SELECT cancel_requested_at IS NOT NULL OR status = 'cancelled' AS stop FROM runs WHERE id = $1`, [runId]);
  return r.rows.length === 0 || r.rows[0].stop;
}

export async function setBackend(db: Db, runId: string, backend: string): Promise<void> {
  await db.run.update({ where: { id: runId }, data: { backend }, select: { id: true } });
}
