// What a training attempt writes to Postgres (the RunRecorder of src/trainer), fenced by its
// lease: every statement changes only runs the attempt still owns (lease_token matches and the run
// is running), so a leftover or duplicate trainer cannot touch a run another attempt took over or
// that already ended. Each epoch's summaries, points, checkpoints and progress go in one statement
// (data-modifying CTEs: one round trip, atomic), so a resumed run never stores an epoch twice.
// While Postgres is unreachable (restarting, a network cut) every write is retried with backoff:
// training goes on, and the writes land when Postgres is back.
import type { EvalPoint } from '../core/training/metrics.js';
import type { EpochCommit, Progress, RunFinish, RunPoints, RunRecorder, StoredCheckpoint } from '../trainer/runRecorder.js';
import { asBuffer, inTransaction, type Pool, type PoolClient } from './pool.js';
import { splitColumns } from './splitColumns.js';
import { retryWhileUnavailable } from './unavailable.js';

const POINT_COLUMNS = ['run_id', 'step', 'epoch', 'lr', '"full"', ...splitColumns(['train', 'validation'])];
const POINT_TYPES = ['uuid', 'int', 'float8', 'float8', 'bool', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8'];

/** Points at most per single-statement write; more go through a transaction of chunks. */
const ONE_STATEMENT_POINTS = 1000;

/** The runs (of $1) this attempt owns, locked until the statement ends. */
const OWNED = `owned AS (SELECT id FROM runs WHERE id = ANY($1::uuid[]) AND lease_token = $2::uuid AND status = 'running' FOR UPDATE)`;

function pointRows(values: unknown[], runId: string, points: EvalPoint[]): string[] {
  return points.map((p) => {
    const o = values.length;
    values.push(runId, p.step, p.epoch, p.lr, p.full, p.train.loss, p.train.cost, p.train.accuracy, p.validation.loss, p.validation.cost, p.validation.accuracy);
    return `(${POINT_TYPES.map((t, k) => `$${o + k + 1}::${t}`).join(', ')})`;
  });
}

/** A CTE inserting the points of owned runs, each with the seconds since its run started. */
function pointsCte(rows: string[]): string {
  return `pts AS (INSERT INTO metric_points (${POINT_COLUMNS.join(', ')}, seconds)
    SELECT v.*, EXTRACT(EPOCH FROM now() - r.started_at) FROM (VALUES ${rows.join(', ')}) AS v(${POINT_COLUMNS.join(', ')})
    JOIN runs r ON r.id = v.run_id WHERE v.run_id IN (SELECT id FROM owned)
    ON CONFLICT (run_id, step) DO NOTHING)`;
}

async function insertPoints(c: PoolClient, lease: string, runs: RunPoints[]): Promise<void> {
  for (const r of runs) {
    for (let i = 0; i < r.points.length; i += 500) {
      const values: unknown[] = [[r.runId], lease];
      const rows = pointRows(values, r.runId, r.points.slice(i, i + 500));
      await c.query(`WITH ${OWNED}, ${pointsCte(rows)} SELECT 1`, values);
    }
  }
}

const progressSet = `step = $3, epoch = $4, seconds_left = $5, updated_at = now()`;
const progressValues = (p: Progress) => [p.step, Math.floor(p.epoch), p.secondsLeft];

export interface RecorderOptions {
  /** How long a write keeps retrying while Postgres is unreachable. */
  retryForMs?: number;
  /** A test's pause point inside the final write, between two artifacts. */
  pause?: (phase: 'artifact-upload') => Promise<void>;
}

export function pgRunRecorder(pool: Pool, lease: string, o: RecorderOptions = {}): RunRecorder {
  // Locked until the transaction ends: a claim by another attempt cannot come between this check
  // and the transaction's writes (the final write, a hand-back), which then need no lease of their own.
  const owned = async (c: PoolClient, ids: string[]) =>
    (await c.query<{ id: string }>(`SELECT id FROM runs WHERE id = ANY($1::uuid[]) AND lease_token = $2 AND status = 'running' FOR UPDATE`, [ids, lease])).rows.map((r) => r.id);

  const recorder: RunRecorder = {
    async checkpoints(ids) {
      const r = await pool.query<{ run_id: string; step: number; epoch: number; data: Buffer }>('SELECT run_id, step, epoch, data FROM checkpoints WHERE run_id = ANY($1::uuid[])', [ids]);
      const by = new Map<string, StoredCheckpoint>(r.rows.map((c) => [c.run_id, { step: c.step, epoch: c.epoch, data: new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength) }]));
      return ids.map((id) => by.get(id) ?? null);
    },

    async dropPointsAfter(ids, step) {
      await pool.query(`WITH ${OWNED} DELETE FROM metric_points WHERE run_id IN (SELECT id FROM owned) AND step > $3`, [ids, lease, step]);
    },

    async resetHistory(ids) {
      await inTransaction(pool, async (c) => {
        const mine = await owned(c, ids);
        for (const table of ['epochs', 'metric_points', 'checkpoints']) await c.query(`DELETE FROM ${table} WHERE run_id = ANY($1::uuid[])`, [mine]);
      });
    },

    async writePoints(runs, progress) {
      const ids = runs.map((r) => r.runId);
      const count = runs.reduce((n, r) => n + r.points.length, 0);
      if (count > ONE_STATEMENT_POINTS) {
        await inTransaction(pool, (c) => insertPoints(c, lease, runs));
        runs = runs.map((r) => ({ ...r, points: [] }));
      }
      const values: unknown[] = [ids, lease, ...progressValues(progress)];
      const rows = runs.flatMap((r) => pointRows(values, r.runId, r.points));
      await pool.query(`WITH ${OWNED}${rows.length ? `, ${pointsCte(rows)}` : ''} UPDATE runs SET ${progressSet} WHERE id IN (SELECT id FROM owned)`, values);
    },

    async commitEpochs(commits: EpochCommit[], progress) {
      if (commits.reduce((n, c) => n + c.points.length, 0) > ONE_STATEMENT_POINTS) {
        await inTransaction(pool, (c) => insertPoints(c, lease, commits));
        commits = commits.map((e) => ({ ...e, points: [] }));
      }
      const values: unknown[] = [commits.map((e) => e.runId), lease, ...progressValues(progress)];
      const epochRows: string[] = [];
      const checkpointRows: string[] = [];
      const rows: string[] = [];
      for (const e of commits) {
        const s = e.summary;
        const o = values.length;
        values.push(e.runId, s.epoch, s.step, s.lr, s.trainSeconds, s.train.loss, s.train.cost, s.train.accuracy, s.validation.loss, s.validation.cost, s.validation.accuracy, asBuffer(e.checkpoint));
        const types = ['uuid', 'int', 'int', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8'];
        epochRows.push(`(${types.map((t, k) => `$${o + k + 1}::${t}`).join(', ')})`);
        checkpointRows.push(`($${o + 1}::uuid, $${o + 3}::int, $${o + 2}::int, $${o + 12}::bytea)`);
        rows.push(...pointRows(values, e.runId, e.points));
      }
      const epochColumns = ['run_id', 'epoch', 'step', 'lr', 'train_seconds', ...splitColumns(['train', 'validation'])];
      await pool.query(
        `WITH ${OWNED}${rows.length ? `, ${pointsCte(rows)}` : ''},
         ep AS (INSERT INTO epochs (${epochColumns.join(', ')})
                SELECT * FROM (VALUES ${epochRows.join(', ')}) AS v(${epochColumns.join(', ')}) WHERE v.run_id IN (SELECT id FROM owned)),
         ck AS (INSERT INTO checkpoints (run_id, step, epoch, data)
                SELECT * FROM (VALUES ${checkpointRows.join(', ')}) AS v(run_id, step, epoch, data) WHERE v.run_id IN (SELECT id FROM owned)
                ON CONFLICT (run_id) DO UPDATE SET step = EXCLUDED.step, epoch = EXCLUDED.epoch, data = EXCLUDED.data, created_at = now())
         UPDATE runs SET ${progressSet} WHERE id IN (SELECT id FROM owned)`,
        values,
      );
    },

    async handBack(runs, step, epoch) {
      await inTransaction(pool, async (c) => {
        const mine = new Set(await owned(c, runs.map((r) => r.runId)));
        const kept = runs.filter((r) => mine.has(r.runId));
        await insertPoints(c, lease, kept);
        for (const r of kept) {
          await c.query(
            `INSERT INTO checkpoints (run_id, step, epoch, data, created_at) VALUES ($1, $2, $3, $4, now())
             ON CONFLICT (run_id) DO UPDATE SET step = EXCLUDED.step, epoch = EXCLUDED.epoch, data = EXCLUDED.data, created_at = now()`,
            [r.runId, step, epoch, asBuffer(r.checkpoint)],
          );
          await c.query(`UPDATE runs SET status = 'queued', step = $2, seconds_left = NULL, lease_token = NULL, updated_at = now() WHERE id = $1`, [r.runId, step]);
        }
      });
    },

    /** Remaining points, the artifacts and the final metrics, in one transaction; artifacts go as binary bytea. */
    async finish(f: RunFinish) {
      await inTransaction(pool, async (c) => {
        if ((await owned(c, [f.runId])).length === 0) return;
        await insertPoints(c, lease, [{ runId: f.runId, points: f.points }]);
        await c.query('DELETE FROM artifacts WHERE run_id = $1', [f.runId]);
        for (const [i, a] of f.artifacts().entries()) {
          if (i === 1) await o.pause?.('artifact-upload');
          await c.query('INSERT INTO artifacts (run_id, name, content_type, size, data) VALUES ($1, $2, $3, $4, $5)', [f.runId, a.name, a.contentType, a.body.length, asBuffer(a.body)]);
        }
        const r = f.result;
        const last = r.epochs.at(-1);
        const metrics = [r.train, r.validation, r.test].flatMap((x) => [x.loss, x.cost, x.accuracy]);
        const setObjective = f.objective !== undefined;
        await c.query(
          `UPDATE runs SET status = 'succeeded', step = $2, epoch = $3, seconds_left = 0, backend = $4,
                  ${splitColumns(['train', 'validation', 'test']).map((col, i) => `${col} = $${5 + i}`).join(', ')},
                  objective = CASE WHEN $14 THEN $15::float8 ELSE objective END, finished_at = now(), error = NULL, lease_token = NULL, updated_at = now()
           WHERE id = $1`,
          [f.runId, r.steps, last ? last.epoch : 0, f.backend, ...metrics, setObjective, setObjective && Number.isFinite(f.objective) ? f.objective : null],
        );
      });
    },

    async fail(runId, message) {
      await pool.query(
        `UPDATE runs SET status = 'failed', error = $3, finished_at = now(), seconds_left = NULL, lease_token = NULL, updated_at = now()
         WHERE id = $1 AND lease_token = $2 AND status = 'running'`,
        [runId, lease, message.slice(0, 4000)],
      );
    },

    async markCancelled(ids) {
      await pool.query(
        `UPDATE runs SET status = 'cancelled', finished_at = now(), seconds_left = NULL, lease_token = NULL, updated_at = now()
         WHERE id = ANY($1::uuid[]) AND lease_token = $2 AND status = 'running'`,
        [ids, lease],
      );
    },

    async stopRequested(ids) {
      const r = await pool.query<{ id: string }>(
        `SELECT x.id FROM unnest($1::uuid[]) AS x(id) LEFT JOIN runs r ON r.id = x.id
         WHERE r.id IS NULL OR r.cancel_requested_at IS NOT NULL OR r.status <> 'running' OR r.lease_token IS DISTINCT FROM $2::uuid`,
        [ids, lease],
      );
      return r.rows.map((row) => row.id);
    },
  };
  // An epoch write whose connection dropped at commit may have landed: then it is not repeated.
  const epochsStored = async (commits: EpochCommit[]) => {
    const r = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM epochs e JOIN unnest($1::uuid[], $2::int[]) AS c(run_id, epoch) USING (run_id, epoch)`, [
      commits.map((c) => c.runId),
      commits.map((c) => c.summary.epoch),
    ]);
    return Number(r.rows[0].n) === commits.length;
  };
  const retry = <A extends unknown[], R>(f: (...args: A) => Promise<R>, done?: (...args: A) => () => Promise<boolean>) => async (...args: A): Promise<R> =>
    (await retryWhileUnavailable(() => f(...args), { forMs: o.retryForMs, done: done?.(...args) })) as R;
  return {
    checkpoints: retry(recorder.checkpoints),
    dropPointsAfter: retry(recorder.dropPointsAfter),
    resetHistory: retry(recorder.resetHistory),
    writePoints: retry(recorder.writePoints),
    commitEpochs: retry(recorder.commitEpochs, (commits) => () => epochsStored(commits)),
    handBack: retry(recorder.handBack),
    finish: retry(recorder.finish),
    fail: retry(recorder.fail),
    markCancelled: retry(recorder.markCancelled),
    stopRequested: recorder.stopRequested,
  };
}
