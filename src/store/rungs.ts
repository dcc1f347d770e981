// Successive-halving decisions in Postgres, so that they span every worker: values at a rung are
// recorded and judged under a lock per (search, stage, step), each against all values recorded
// at that rung so far (the asynchronous rule of src/search/successiveHalving.ts).
import type pg from 'pg';
import type { SplitMetrics } from '../core/training/metrics.js';
import { isPromotable } from '../search/successiveHalving.js';
import { inTransaction } from './runWriter.js';

export interface Rung {
  searchId: string;
  stage: number;
  step: number;
  reduction: number;
  direction: 'maximize' | 'minimize';
}

export interface RungEntry {
  runId: string;
  /** The objective's value at the rung. */
  value: number;
  /** Recorded as the pruned run's metrics. */
  train: SplitMetrics;
  validation: SplitMetrics;
}

/**
 * Decides which of `entries` continue. Decisions already stored (an attempt resumed after a crash
 * replays the rung) stand, so a retry never changes the outcome. Pruned runs get status
 * `pruned`, the rung value as objective and their metrics at the rung, in the same transaction.
 */
export async function decideRung(pool: pg.Pool, rung: Rung, entries: RungEntry[]): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rung:${rung.searchId}:${rung.stage}:${rung.step}`]);
    const recorded = (await c.query<{ run_id: string; value: number; promoted: boolean }>('SELECT run_id, value, promoted FROM rung_results WHERE search_id = $1 AND stage = $2 AND step = $3', [rung.searchId, rung.stage, rung.step])).rows;
    const known = new Map(recorded.map((r) => [r.run_id, r.promoted]));
    const fresh = entries.filter((e) => !known.has(e.runId));
    const competing = [...recorded.map((r) => r.value), ...fresh.map((e) => e.value)];
    for (const e of entries) out.set(e.runId, known.get(e.runId) ?? isPromotable(competing, e.value, rung.reduction, rung.direction));
    for (const e of fresh) {
      const promoted = out.get(e.runId)!;
      // A diverged trial's NaN is stored as NaN (float8 has it) and, as in isPromotable, never competes.
      await c.query('INSERT INTO rung_results (search_id, stage, step, run_id, value, promoted) VALUES ($1, $2, $3, $4, $5, $6)', [rung.searchId, rung.stage, rung.step, e.runId, e.value, promoted]);
      if (promoted) continue;
      await c.query(
        `UPDATE runs SET status = 'pruned', objective = $2, pruned_at_step = $3, step = $3,
                train_loss = $4, train_cost = $5, train_accuracy = $6, validation_loss = $7, validation_cost = $8, validation_accuracy = $9,
                seconds_left = NULL, finished_at = now(), updated_at = now()
         WHERE id = $1 AND status = 'running'`,
        [e.runId, Number.isFinite(e.value) ? e.value : null, rung.step, e.train.loss, e.train.cost, e.train.accuracy, e.validation.loss, e.validation.cost, e.validation.accuracy],
      );
    }
  });
  return out;
}
